"""The seat log: an owned task that writes who changed rooms into SQLite once a
second, and every seat with its position at shutdown, so a restart returns people
to their table and spot (contract v1.1). Positions are not written while serving."""

from __future__ import annotations

import asyncio
import logging

from server.tasks import OwnedTask
from server.world import World

log = logging.getLogger(__name__)


class SeatLog:
    def __init__(self, world: World, period: float = 1.0) -> None:
        self.world = world
        self.period = period
        self._task = OwnedTask("kohtaamo-seats", self._run)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        """Stop the task and write every seat as it is now."""
        await self._task.stop()
        for slug, event in list(self.world.events.items()):
            event.seating.drain()  # all of it is in the snapshot
            await self.world.storage.seats.replace(slug, event.seating.all())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.flush()
            except Exception:
                log.exception("writing seats failed")

    async def flush(self) -> None:
        """Write the room changes since the last flush."""
        for slug, event in list(self.world.events.items()):
            seated, left = event.seating.drain()
            if not (seated or left):
                continue
            try:
                await self.world.storage.seats.save(slug, seated, left)
            except BaseException:  # written on the next round instead
                for pid in [s.person for s in seated] + left:
                    event.seating.changed(pid)
                raise
