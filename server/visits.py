"""The visit log: an owned task that drains the floor's room entries and exits into
SQLite once a second, with the peak of people connected, for the organizer report."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from server.world import World

log = logging.getLogger(__name__)


class VisitLog:
    def __init__(self, world: World, period: float = 1.0) -> None:
        self.world = world
        self.period = period
        self._peaks: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="kohtaamo-visits")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.flush()
            except Exception:  # a failed write is retried on the next round
                log.exception("writing visits failed")

    async def flush(self) -> None:
        store = self.world.storage.cards
        for slug, event in list(self.world.events.items()):
            visits = event.drain_visits()
            if visits:
                await store.record_visits(slug, visits)
            if event.peak_connected > self._peaks.get(slug, 0):
                self._peaks[slug] = event.peak_connected
                await store.raise_peak(slug, event.peak_connected)
