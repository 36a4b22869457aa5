"""The tick loop: one owned task that flushes positions, expires grace periods and
sends presence, for every event, `tick_hz` times a second."""

from __future__ import annotations

import asyncio
import logging
import time

from rooms.outbound import Outbox
from server.delivery import Delivery
from server.metrics import TICK_BUCKETS, Histogram
from server.tasks import OwnedTask
from server.world import World, now_ms

log = logging.getLogger(__name__)


class TickLoop:
    def __init__(self, world: World, delivery: Delivery, tick_hz: float, presence_hz: float):
        self.world = world
        self.delivery = delivery
        self.period = 1.0 / tick_hz
        self.presence_every = max(1, round(tick_hz / presence_hz))
        self.ticks = 0
        #: ticks that started more than one period late, and the periods skipped
        self.late = 0
        self.skipped = 0
        self.last_tick = time.monotonic()
        #: Seconds of work per tick, for /metrics.
        self.work = Histogram(TICK_BUCKETS)
        self._task = OwnedTask("kohtaamo-tick", self._run)

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()

    def alive(self) -> bool:
        """The loop is running and ticked within the last few periods (or second)."""
        fresh = time.monotonic() - self.last_tick < max(2.0, 5 * self.period)
        return self._task.running() and fresh

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            started = loop.time()
            behind = started - due
            if behind > self.period:
                self.late += 1
                self.skipped += int(behind / self.period)
                due = started  # skip what we cannot catch up on
            try:
                await self.tick()
            except Exception:  # one bad tick must not stop the floor
                log.exception("tick failed")
            self.last_tick = time.monotonic()
            self.work.observe(loop.time() - started)
            due += self.period
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def tick(self) -> None:
        self.ticks += 1
        with_presence = self.ticks % self.presence_every == 0
        for event in list(self.world.events.values()):
            now = now_ms()
            out: Outbox = event.flush_positions(now)
            out += event.expire(now)
            out += event.expire_mutes(now)
            if with_presence:
                out += event.presence(now)
            if out:
                await self.delivery(out)
