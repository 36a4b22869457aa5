"""The Node baseline (bench/baseline/server.js) serves the load generator: real node,
real socket.io with the msgpack parser, the real generator, a tiny crowd. No timing
assertions (the figures belong in docs/performance.md)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import pytest

from bench import nodeserver
from bench.loadgen import Generator, parser
from bench.sim import COUNT_ONLY, COUNT_ONLY_UNOBSERVED, event_name


@pytest.fixture(params=[False, True], ids=["deflate-refused", "deflate-accepted"])
async def baseline(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, int]]:
    """The baseline on a free loopback port, one table: (its URL, its pid); as socket.io
    defaults (deflate refused) and accepting deflate (the generator then inflates)."""
    nodeserver.ensure_installed()  # fails, never skips, when node or npm is missing
    cmd = nodeserver.command("bench", people=20, table_size=50, tick_hz=10,
                             deflate=request.param)
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        m = re.search(rb"listening on (http://\S+)", line)
        assert m, f"the baseline did not start: {line!r}"
        yield m.group(1).decode(), proc.pid
    finally:
        if proc.returncode is None:
            proc.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(proc.wait(), 10)
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def test_generator_drives_a_small_crowd_on_the_node_baseline(
    baseline: tuple[str, int],
) -> None:
    """Twenty people join, connect, sit, move, chat and ask for cards on the baseline:
    moves and chat reach peers, cards are answered 'unknown request', nothing fails."""
    url, pid = baseline
    args = parser().parse_args([
        "--url", url, "--event", "bench", "--profile", "crowd", "--people", "20",
        "--movers", "1.0", "--chat-every", "2", "--card-every", "2", "--table-size", "50",
        "--duration", "3", "--warmup", "0.5", "--settle", "0.2", "--concurrency", "10",
        "--server-pid", str(pid),
    ])
    result = await Generator(args).run()
    assert result["connected"] == 20
    assert result["error_count"] == 0, result["errors"]
    assert result["disconnects"] == 0
    counts = result["counts"]
    assert counts["ack_ok:enter"] == 20
    assert counts["recv:positions"] > 0 and result["move_to_peer_ms"]["n"] > 0
    assert counts["recv:chat"] > 0 and counts["ack_ok:say"] > 0
    assert result["chat_to_peer_ms"]["n"] > 0
    assert counts["unknown_request:card:request"] > 0
    # measured from /proc like Kohtaamo, and the generator's own cost beside it
    assert result["server_us_per_msg"] > 0 and result["generator_us_per_msg"] > 0


def test_generator_counts_the_baselines_frames_by_their_first_bytes() -> None:
    """socket.io's msgpack parser begins an event as python-socketio does (bytes
    captured from the baseline), so non-observers count them without decoding."""
    positions = (b"\x83\xa4type\x02\xa4data\x92\xa9positions\x83\xa4room\xa2t1\xa2ts"
                 b"\xcf\x00\x00\x01")
    chat = b"\x83\xa4type\x02\xa4data\x92\xa4chat\x86\xa2id\xa2m3\xa4room\xa2t1"
    assert COUNT_ONLY_UNOBSERVED[event_name(positions)] == "recv:positions"
    assert COUNT_ONLY_UNOBSERVED[event_name(chat)] == "recv:chat"
    assert event_name(positions) not in COUNT_ONLY  # observers decode what they measure


def test_baseline_has_as_many_tables_as_the_kohtaamo_bench_config() -> None:
    """One table per 50 people, rounded up, as bench.run configures Kohtaamo."""
    cmd = nodeserver.command("bench", people=2001, table_size=50, tick_hz=10)
    assert cmd[cmd.index("--tables") + 1] == "41"
    assert "--deflate" not in cmd
    assert "--deflate" in nodeserver.command("bench", 10, 50, 10, deflate=True)


def test_same_run_gives_the_ratio_of_cpu_per_message() -> None:
    """--with-baseline's combined line: Kohtaamo's µs/msg over the baseline's."""
    k = {"profile": "crowd", "connected": 2000, "server_us_per_msg": 15.0,
         "server_cpu": 0.3, "generator_cpu": 0.5, "generator_us_per_msg": 20.0}
    n = {**k, "server_us_per_msg": 10.0, "server_cpu": 0.2}
    both = nodeserver.same_run(k, n)
    assert both["ratio"] == 1.5
    assert "**1.5x**" in nodeserver.same_run_row(both)
