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


def test_server_figures_are_differences_over_the_window() -> None:
    """Counters from /metrics are reported as what changed between the two scrapes."""
    from bench.measure import server_figures

    gen1 = 'generation="1"'
    before = {"kohtaamo_tick_seconds_count": 10, "kohtaamo_tick_seconds_sum": 0.1}
    after = {"kohtaamo_tick_seconds_count": 20, "kohtaamo_tick_seconds_sum": 0.2,
             f"kohtaamo_gc_pause_seconds_count{{{gen1}}}": 2,
             f'kohtaamo_gc_pause_seconds_bucket{{{gen1},le="0.1"}}': 1,
             f"kohtaamo_gc_pause_seconds_sum{{{gen1}}}": 0.3}
    figures = server_figures(before, after, 10.0)
    assert figures["ticks"] == 10 and figures["tick_work_mean_ms"] == 10.0
    assert figures["gc"][1] == {"n": 2, "ms": 300.0, "over_100ms": 1}
    assert server_figures({}, after, 10.0) == {"ticks_late": None}


def test_generator_loop_is_uvloop_when_installed() -> None:
    """`--loop auto` takes uvloop (installed with the test extras); asyncio on request."""
    from bench.loadgen import _loop_factory

    assert _loop_factory("asyncio") == (None, "asyncio")
    factory, name = _loop_factory("auto")
    assert name == "uvloop" and factory is not None
    loop = factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
