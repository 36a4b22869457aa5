"""The browser client and the server agree on event names and error codes.

`client/src/protocol.js` and `server/protocol_names.py` each hold the names in
one place; this test reads the JavaScript object literals with a regex (no Node
needed) and compares them with the server's frozensets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server import protocol_names

PROTOCOL_JS = Path(__file__).resolve().parent.parent / "client" / "src" / "protocol.js"

# Only the name sets the server also knows; the client's own helpers are left out.
_CLIENT_ONLY = {
    "CONNECT_ERRORS", "CLIENT_TIMEOUT", "CLIENT_NETWORK", "MOVE_RATE_HZ", "MOVE_REASONS",
    "ROLES", "STATUSES", "ROOM_KINDS", "HAND_LOWERED", "AVATAR_DIAMETER",
}
#: The name sets both sides hold, compared one by one below.
SHARED = ("CLIENT_EVENTS", "SERVER_EVENTS", "ERROR_CODES", "HTTP_ERROR_CODES", "FIELD_REASONS")


def js_object(name: str) -> frozenset[str]:
    """The string values of `export const NAME = Object.freeze({ KEY: "value", ... })`."""
    text = PROTOCOL_JS.read_text(encoding="utf-8")
    match = re.search(
        rf"export const {name} = Object\.freeze\(\{{(?P<body>.*?)\}}\);", text, re.DOTALL,
    )
    assert match, f"{name} not found in {PROTOCOL_JS}"
    values = frozenset(re.findall(r'^\s*[A-Z_]+:\s*"([^"]+)",', match["body"], re.MULTILINE))
    # `...OTHER,` spreads another name set of the module into this one
    for other in re.findall(r"^\s*\.\.\.([A-Z_]+),", match["body"], re.MULTILINE):
        values |= js_object(other)
    return values


def test_client_module_parses() -> None:
    """The regex reads every name set of the client module (guards the parser itself)."""
    assert "enter" in js_object("CLIENT_EVENTS")
    assert "welcome" in js_object("SERVER_EVENTS")
    assert "room_full" in js_object("ERROR_CODES")
    exported = set(re.findall(r"^export const (\w+)", PROTOCOL_JS.read_text("utf-8"), re.MULTILINE))
    assert exported - _CLIENT_ONLY == set(SHARED)


@pytest.mark.parametrize("name", SHARED)
def test_client_and_server_names_agree(name: str) -> None:
    """Each name set in client/src/protocol.js equals the server's one."""
    server = frozenset(getattr(protocol_names, name))
    client = js_object(name)
    assert client - server == set(), f"client uses {name} the server does not know"
    assert server - client == set(), f"server has {name} the client does not list"


def test_client_and_server_agree_on_the_avatar_diameter() -> None:
    """The client draws avatars as wide as the distance the server keeps between people."""
    from rooms.spacing import AVATAR_DIAMETER

    text = PROTOCOL_JS.read_text(encoding="utf-8")
    match = re.search(r"^export const AVATAR_DIAMETER = (\d+);", text, re.MULTILINE)
    assert match and int(match[1]) == AVATAR_DIAMETER
