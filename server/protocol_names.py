"""Every event name and error code of the wire contract, in one place on the server side.

The browser client keeps the same lists in client/src/protocol.js;
tests/test_client_protocol.py checks that the two agree, and
tests/test_protocol_doc.py that docs/protocol.md and the contract name them all.
"""

from __future__ import annotations

from rooms.commands import COMMANDS
from rooms.errors import ERROR_CODES, KohtaamoError, Reason
from server.errors import STATUS
from server.http.errors import HTTP_CODES

#: Requests a client sends (all with an ack except `move`).
CLIENT_EVENTS: frozenset[str] = frozenset(COMMANDS)

#: Events the server sends.
SERVER_EVENTS: frozenset[str] = frozenset({
    "welcome", "positions", "room:joined", "room:left", "presence", "chat", "whisper",
    "room:changes",
    "announcement", "timer", "card:requested", "card:exchanged", "card:declined", "waved",
    "flag:new", "moved", "muted", "unmuted", "kicked", "replaced", "error",
    "media:offer", "media:candidate", "media:streams", "media:ended", "stage",
    "hand", "hands",
    "flag:resolved",
    "rounds", "round:seated", "round:warning", "round:ended",
})


def _codes(cls: type[KohtaamoError]) -> set[str]:
    return {cls.code}.union(*(_codes(sub) for sub in cls.__subclasses__()))


#: Every code an HTTP error body may carry: the domain's errors (`banned` among
#: them), the status table's, and aiohttp's own errors on API paths (issue 12).
HTTP_ERROR_CODES: frozenset[str] = frozenset(
    _codes(KohtaamoError) | set(STATUS) | set(HTTP_CODES.values()))

#: What an error's `reason` may say about its `field` (issue 12).
FIELD_REASONS: frozenset[str] = frozenset(r.value for r in Reason)

__all__ = ["CLIENT_EVENTS", "ERROR_CODES", "FIELD_REASONS", "HTTP_ERROR_CODES", "SERVER_EVENTS"]
