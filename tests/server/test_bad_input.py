"""Bad payloads get the contract's errors, change nothing and hurt nobody else."""

from __future__ import annotations

import logging
import math
from typing import Any

import msgpack
import pytest

from rooms.commands import COMMANDS
from rooms.errors import ERROR_CODES, Reason
from tests.conftest import Server


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


BAD_PAYLOADS: list[Any] = [
    0, -1, 1.5, math.nan, math.inf, -math.inf, True, "text", "", [], [1, 2, 3],
    "x" * 60_000, {"x" * 300: 1}, deep(500), {"room": deep(300)}, {"text": deep(300)},
    {"room": math.nan}, {"to": math.inf}, {"text": "x" * 50_000}, {"room": ["a"]},
    {"person": {"$ne": None}}, {"room": None, "text": None, "to": None},
]

#: What a failed ack's error may hold: the contract's code and message, and the
#: field, reason and bounds of issue 12's extension.
ERROR_KEYS = {"code", "message", "field", "reason", "min", "max"}

#: Requests whose empty payload is valid (they take no fields).
NO_FIELDS = {"timer:clear", "recall"}


@pytest.mark.parametrize("event", sorted(set(COMMANDS) - {"move"}))
async def test_every_request_answers_bad_payloads(
    server: Server, event: str, caplog: pytest.LogCaptureFixture,
) -> None:
    """Each request answers each malformed payload with an error ack in the contract's shape."""
    caplog.set_level(logging.WARNING)
    attacker, bystander = [await server.connected(n) for n in ("Mallory", "Bert")]
    before = server.world().events["testfair"].info()
    for payload in BAD_PAYLOADS:
        reply = await attacker.call(event, payload)
        assert reply["ok"] is False, (event, payload)
        # the contract's shape, plus the extension's machine-readable details
        assert {"code", "message"} <= set(reply["error"]) <= ERROR_KEYS
        assert reply["error"].get("reason", "required") in set(Reason)
        assert reply["error"]["code"] in ERROR_CODES
        if event not in NO_FIELDS:
            assert reply["error"]["code"] in {"bad_request", "forbidden"}, (payload, reply)
    assert server.world().events["testfair"].info() == before
    reply = await bystander.call("say", {"text": "still fine"})
    assert reply["ok"]
    assert attacker.sio is not None and attacker.sio.connected
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_bad_moves_are_dropped_silently(server: Server) -> None:
    """move with bad payloads is dropped; a good move after them still flows."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    for payload in [*BAD_PAYLOADS, {"x": 1}, {"x": "1", "y": "2"}, {"x": None, "y": None}]:
        await a.emit("move", payload)
    await a.emit("move", {"x": 42, "y": 43})
    got = await b.seen.wait_for("positions", lambda d: [a.id, 42, 43] in d["p"])
    assert all(isinstance(v, int) for entry in got["p"] for v in entry[1:])
    assert a.seen.of("error") == []


async def test_failures_without_ack_get_an_error_event(server: Server) -> None:
    """A failed request sent without a callback is answered with `error` naming the request."""
    a = await server.connected("Anna")
    await a.emit("say", {"text": ""})
    error = await a.seen.wait_for("error")
    assert error["code"] == "bad_request" and error["request"] == "say"
    await a.emit("no-such-request", {})
    error = await a.seen.wait_for("error", lambda e: e["request"] == "no-such-request")
    assert error["code"] == "bad_request"


async def test_unknown_requests_and_extra_arguments(server: Server) -> None:
    """Unknown events and requests with several payloads are bad_request."""
    a = await server.connected("Anna")
    assert (await a.call("explode", {}))["error"]["code"] == "bad_request"
    assert a.sio is not None
    reply = await a.sio.call("say", ({"text": "a"}, {"text": "b"}), timeout=5)
    assert reply["error"]["code"] == "bad_request"


async def test_garbage_packets_do_not_hurt(
    server: Server, caplog: pytest.LogCaptureFixture,
) -> None:
    """Undecodable or ill-formed Socket.IO packets give bad_request, no traceback, no harm."""
    caplog.set_level(logging.WARNING)
    a, b = [await server.connected(n) for n in ("Mallory", "Bert")]
    assert a.sio is not None
    garbage = [
        b"\xc1\xc1\xc1", b"", msgpack.dumps([1, 2, 3]), msgpack.dumps({"type": 99, "nsp": "/"}),
        msgpack.dumps({"type": 2, "nsp": "/", "data": "say"}),
        msgpack.dumps({"type": 2, "nsp": "/", "data": []}),
        msgpack.dumps({"type": 2, "nsp": "/", "data": [5, {}]}),
        msgpack.dumps({"type": 2, "nsp": 7, "data": ["say", {}]}),
        msgpack.dumps({"type": 2, "nsp": "/", "data": ["say", {}], "id": "x"}),
        msgpack.dumps({"type": 3, "nsp": "/", "data": "x", "id": 1}),
        # data nested 5000 deep, written by hand (msgpack's packer stops at 512)
        b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data" + b"\x91" * 5000 + b"\xa1x",
    ]
    for frame in garbage:
        await a.sio.eio.send(frame)
    await a.seen.wait_for("error", lambda e: e["code"] == "bad_request")
    assert (await b.call("say", {"text": "fine"}))["ok"]
    assert (await a.call("say", {"text": "me too"}))["ok"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_oversized_messages_close_only_the_sender(server: Server) -> None:
    """A message above max_payload closes the sender's connection, not anyone else's."""
    a, b = [await server.connected(n) for n in ("Mallory", "Bert")]
    assert a.sio is not None
    await a.sio.emit("say", {"text": "x" * 200_000})
    await a.seen.wait_for("disconnect", timeout=5)
    assert (await b.call("say", {"text": "unaffected"}))["ok"]
