"""Every event name and error code of the wire contract, in one place on the server side.

The browser client keeps the same lists in client/src/protocol.js;
tests/test_client_protocol.py checks that the two agree, and
tests/test_protocol_doc.py that docs/protocol.md and the contract name them all.
"""

from __future__ import annotations

from rooms.commands import COMMANDS
from rooms.errors import ERROR_CODES

#: Requests a client sends (all with an ack except `move`).
CLIENT_EVENTS: frozenset[str] = frozenset(COMMANDS)

#: Events the server sends.
SERVER_EVENTS: frozenset[str] = frozenset({
    "welcome", "positions", "room:joined", "room:left", "presence", "chat", "whisper",
    "announcement", "timer", "card:requested", "card:exchanged", "card:declined", "waved",
    "flag:new", "moved", "muted", "unmuted", "kicked", "replaced", "error",
    "media:offer", "media:candidate", "media:streams", "media:ended", "stage",
    "rounds", "round:seated", "round:warning", "round:ended",
})

__all__ = ["CLIENT_EVENTS", "ERROR_CODES", "SERVER_EVENTS"]
