"""Owned background tasks end on stop, even when a cancel is swallowed once (as
Python 3.11's asyncio.wait_for can do)."""

from __future__ import annotations

import asyncio

from server.tasks import OwnedTask


async def test_stop_ends_a_task_that_swallowed_its_first_cancel() -> None:
    """A task that catches the first CancelledError and goes on is cancelled again."""
    started = asyncio.Event()
    swallowed: list[bool] = []

    async def stubborn() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            swallowed.append(True)  # swallowed: keep going, as wait_for sometimes does
        await asyncio.Event().wait()

    task = OwnedTask("stubborn", stubborn)
    task.start()
    await started.wait()
    await asyncio.wait_for(task.stop(), timeout=5)
    assert swallowed == [True] and not task.running()
