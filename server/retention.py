"""Retention: an owned task that erases an event's people, cards and logs a number of days
after the event's end, keeping its organizer report as aggregate figures.

An event ends at its configured `ends_at`, or else at its last activity (the
latest join, visit, exchange, card request, moderation action or flag). It is
swept at start-up and then once a day; an event with anyone connected waits
for the next sweep (seats restored after a restart do not count: nobody is
there). Time comes from `clock` (or `sweep(now)`), so a test moves it forward
without sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from rooms.outbound import Outbox
from server.tasks import OwnedTask
from server.world import World, now_ms

log = logging.getLogger(__name__)

DAY_MS = 86_400_000


class Retention:
    def __init__(
        self, world: World, deliver: Callable[[Outbox], Awaitable[None]],
        clock: Callable[[], int] = now_ms, period: float = 86_400.0,
    ) -> None:
        self.world = world
        self.deliver = deliver
        self.clock = clock
        self.period = period
        self._task = OwnedTask("kohtaamo-retention", self._run)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period)
            try:
                await self.sweep()
            except Exception:  # tried again on the next day's sweep
                log.exception("retention sweep failed")

    async def due(self, slug: str, now: int) -> bool:
        """Whether the event's retention period has passed (never when none is set)."""
        ends_at, days = self.world.config.retention_of(slug)
        if days is None or slug in self.world.archived:
            return False
        end = ends_at if ends_at is not None else \
            await self.world.storage.retention.last_activity(slug, now)
        return end is not None and now >= end + days * DAY_MS

    async def sweep(self, now: int | None = None) -> list[str]:
        """Erase every event whose retention period has passed. Returns their slugs."""
        now = self.clock() if now is None else now
        erased = []
        for slug, event in list(self.world.events.items()):
            if not await self.due(slug, now):
                continue
            if event.connected_count:
                log.info("retention of %s waits: people are connected", slug)
                continue
            async with self.world.card_lock(slug):
                storage = self.world.storage
                # the last exits may not be written yet (server/visits.py): the report needs them
                await storage.visits.record_visits(slug, event.drain_visits())
                report = await storage.visits.report(event, now)
                await storage.retention.erase_event(slug, report, now)
                self.world.archived.add(slug)
                out: Outbox = []
                for person_id in list(event.people):
                    out += event.erase(person_id, now)
                    self.world.forget(person_id)
            await self.deliver(out)
            log.info("retention erased the people, cards and logs of %s", slug)
            erased.append(slug)
        return erased
