"""The visit log: an owned task that drains the floor's room entries and exits into
SQLite once a second, with the peak of people connected, for the organizer report.

The report flushes it first (`flush`), so it reflects every move acknowledged
before it was asked. A flush drains and writes in one transaction, so two
flushes never write a visit twice and a failed one is retried whole.
"""

from __future__ import annotations

import asyncio
import logging

from rooms.model import Visit
from server.tasks import OwnedTask
from server.world import World

log = logging.getLogger(__name__)


class VisitLog:
    def __init__(self, world: World, period: float = 1.0) -> None:
        self.world = world
        self.period = period
        self._peaks: dict[str, int] = {}
        #: visits drained from the floor and not yet written, per event
        self._pending: dict[str, list[Visit]] = {}
        self._task = OwnedTask("kohtaamo-visits", self._run)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.flush()
            except Exception:  # a failed write is retried on the next round
                log.exception("writing visits failed")

    async def flush(self) -> None:
        """Write every visit and peak not yet written, in one transaction; callers
        that then read in the same task see them."""
        storage = self.world.storage
        store = storage.visits
        async with storage.transaction():
            written: list[tuple[str, int]] = []
            for slug, event in list(self.world.events.items()):
                pending = self._pending.setdefault(slug, [])
                # drained inside the transaction: nothing else drains meanwhile
                pending += event.drain_visits()
                if pending:
                    await store.record_visits(slug, pending)
                if event.peak_connected > self._peaks.get(slug, 0):
                    await store.raise_peak(slug, event.peak_connected)
                    written.append((slug, event.peak_connected))
        # committed: forget what is now stored (kept for a retry when it failed)
        for pending in self._pending.values():
            pending.clear()
        self._peaks.update(written)
