"""The storm's quiet newcomers in the load generator read the server's real
encoding, and a small storm runs end to end (no timing assertions)."""

from __future__ import annotations

import argparse
from typing import Any

from socketio import packet

from bench.loadgen import Generator, parser
from bench.sim import COUNT_ONLY, COUNT_ONLY_UNOBSERVED, event_name, peek_welcome
from server.realtime.packet import Packet
from tests.conftest import Server


def _encoded(name: str, data: Any) -> bytes:
    out = Packet(packet.EVENT, namespace="/", data=[name, data]).encode()
    assert isinstance(out, bytes)
    return out


def test_quiet_sims_recognise_the_servers_encoding() -> None:
    """The generator's byte prefixes match how the server encodes each event, and
    `peek_welcome` finds my id and room in a real welcome's shape."""
    assert COUNT_ONLY.items() <= COUNT_ONLY_UNOBSERVED.items()
    for name, key in COUNT_ONLY_UNOBSERVED.items():
        assert event_name(_encoded(key.removeprefix("recv:"), {"room": "r1"})) == name
    assert event_name(b"\x84\xa2id\x01\xa4type\x03") == b""  # an ack: decoded
    welcome = {
        "event": {"slug": "x"}, "me": {"id": "p1", "name": "Anna"}, "rooms": [{"id": "r0"}],
        "people": [{"id": f"p{i}"} for i in range(50)],
        "room": {"room": {"id": "lobby"}, "occupants": [{"id": "p1", "x": 1, "y": 2}],
                 "chat": []},
        "requests": [],
    }
    assert peek_welcome(_encoded("welcome", welcome)) == ("p1", "lobby")
    assert peek_welcome(_encoded("chat", {"text": "hi"})) is None


async def test_generator_runs_a_small_storm(server: Server) -> None:
    """A few residents chat while quiet newcomers arrive; all are welcomed, their
    arrivals (room:changes: the generator asks `compact`) and welcome bytes are
    counted, and the storm's own chat figures are reported."""
    args: argparse.Namespace = parser().parse_args([
        "--url", server.url, "--event", "testfair", "--profile", "storm", "--people", "6",
        "--residents", "3", "--chat-every", "0.5", "--card-every", "0", "--table-size", "50",
        "--duration", "1.5", "--warmup", "0.2", "--settle", "0.2", "--concurrency", "6",
    ])
    result = await Generator(args).run()
    assert result["storm_welcomed"] == 6
    assert result["error_count"] == 0, result["errors"]
    assert result["counts"]["recv:room:changes"] > 0
    assert "recv:room:joined" not in result["counts"]
    assert result["counts"]["bytes:welcome"] > 0
    assert "storm_chat_ms" in result and "_storm_span" not in result
    assert result["generator_lag_ms"]["n"] > 0
