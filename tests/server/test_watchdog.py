"""The event-loop watchdog: a stall is counted and logged with where the loop was."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from server.watchdog import LoopWatchdog
from tests.conftest import Server


def hold_the_loop(seconds: float) -> None:
    """Blocks the event loop's thread, as a runaway handler would."""
    time.sleep(seconds)


async def test_a_stall_is_counted_and_says_where_the_loop_was(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A blocked loop is counted once, its length kept, and the log names the culprit."""
    watchdog = LoopWatchdog(threshold=0.1, interval=0.02)
    watchdog.start()
    try:
        with caplog.at_level(logging.WARNING, logger="server.watchdog"):
            hold_the_loop(0.4)
            for _ in range(100):  # the loop turns again: wait for the report, bounded
                await asyncio.sleep(0.02)
                if watchdog.longest:
                    break
    finally:
        watchdog.stop()
    assert watchdog.stalls == 1
    assert 0.3 < watchdog.longest < 2.0
    stalled = [r.getMessage() for r in caplog.records if "stalled" in r.getMessage()]
    assert len(stalled) == 1 and "hold_the_loop" in stalled[0]


async def test_a_turning_loop_reports_nothing() -> None:
    """A loop that keeps turning is never reported (a generous threshold: shared machines)."""
    watchdog = LoopWatchdog(threshold=1.0, interval=0.02)
    watchdog.start()
    try:
        for _ in range(10):
            await asyncio.sleep(0.02)
    finally:
        watchdog.stop()
    assert watchdog.stalls == 0


async def test_the_app_runs_one_and_exposes_it(server: Server) -> None:
    """The running app has a watchdog, and /metrics reports its counts."""
    async with server.http.get(f"{server.url}/metrics") as resp:
        text = await resp.text()
    assert "kohtaamo_loop_stalls_total " in text
    assert "kohtaamo_loop_stall_longest_seconds " in text
