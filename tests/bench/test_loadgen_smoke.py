"""The load generator runs against a real server: a handful of people for a few
seconds, with no timing assertions (figures belong in docs/performance.md)."""

from __future__ import annotations

import argparse

from bench.loadgen import Generator, parser, percentiles, require_loopback
from tests.conftest import Server


async def test_generator_drives_a_small_crowd(server: Server) -> None:
    """Five people join, connect, sit, move and chat; moves reach peers and nothing fails."""
    args: argparse.Namespace = parser().parse_args([
        "--url", server.url, "--event", "testfair", "--profile", "crowd", "--people", "5",
        "--movers", "1.0", "--chat-every", "1", "--card-every", "0", "--table-size", "50",
        "--duration", "2", "--warmup", "0.5", "--settle", "0.2", "--concurrency", "5",
    ])
    result = await Generator(args).run()
    assert result["connected"] == 5
    assert result["error_count"] == 0, result["errors"]
    assert result["disconnects"] == 0
    assert result["counts"]["moves_sent"] > 0
    assert result["counts"]["recv:positions"] > 0
    assert result["move_to_peer_ms"]["n"] > 0


def test_percentiles_of_nothing_are_none() -> None:
    """An empty sample reports n=0 rather than failing."""
    assert percentiles([])["p99"] is None
    assert percentiles([1.0, 2.0, 3.0])["max"] == 3.0


def test_generator_refuses_other_hosts() -> None:
    """The generator only targets loopback."""
    require_loopback("http://127.0.0.1:8080")
    require_loopback("http://[::1]:8080")
    for url in ("http://192.0.2.1:8080", "http://example.org"):
        try:
            require_loopback(url)
        except SystemExit:
            continue
        raise AssertionError(f"{url} was accepted")
