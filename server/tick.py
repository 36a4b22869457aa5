"""The tick loop: one owned task that flushes positions, expires grace periods and
sends presence, for every event, `tick_hz` times a second.

A tick may be split into `parts` slices spread evenly over its period (`[tuning]
tick_parts`): each slice flushes its share of the rooms, so every room still
gets at most one `positions` a tick, and the first slice of a tick also does the
rest. With thousands of people a whole tick's writes took tens of milliseconds
in one go, and every move and chat that arrived meanwhile waited behind them.
"""

from __future__ import annotations

import asyncio
import logging
import time

from rooms.event import Event
from rooms.outbound import Outbox
from rooms.series import GroupingJob
from server.metrics import TICK_BUCKETS, Histogram
from server.realtime.delivery import Delivery
from server.tasks import OwnedTask
from server.world import World, now_ms

log = logging.getLogger(__name__)


class TickLoop:
    def __init__(
        self, world: World, delivery: Delivery, tick_hz: float, presence_hz: float,
        parts: int = 1,
    ):
        self.world = world
        self.delivery = delivery
        self.period = 1.0 / tick_hz
        self.parts = max(1, parts)
        self.presence_every = max(1, round(tick_hz / presence_hz))
        self.ticks = 0
        #: slices that started more than a tick's period late, and the periods skipped
        self.late = 0
        self.skipped = 0
        self.last_tick = time.monotonic()
        #: Seconds of work per slice of a tick (per tick when it is not split), for /metrics.
        self.work = Histogram(TICK_BUCKETS)
        self._task = OwnedTask("kohtaamo-tick", self._run)
        #: rounds being grouped off the loop (`_group`), held until they are seated
        self._grouping: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._task.start()

    async def stop(self) -> None:
        await self._task.stop()
        for task in list(self._grouping):
            task.cancel()
        await asyncio.gather(*self._grouping, return_exceptions=True)

    def observe_share(self, event: Event) -> int:
        """Tables to look at for meetings this tick: all of them every ~2 s."""
        ticks = max(1, round(2 / self.period))
        return -(-len(event.rooms) // ticks)

    def _group(self, event: Event, job: GroupingJob) -> None:
        """Group a round in a worker thread, so thousands grouped never stall the
        tick (the domain checks the result against who is still here)."""
        task = asyncio.create_task(self._seat(event, job), name="kohtaamo-grouping")
        self._grouping.add(task)
        task.add_done_callback(self._grouping.discard)

    async def _seat(self, event: Event, job: GroupingJob) -> None:
        try:
            groups = await asyncio.to_thread(job.run)
        except Exception:
            log.exception("grouping round %d of %s failed; trying again", job.round, event.slug)
            event.rounds.abandon(job, now_ms())
            return
        out = event.rounds.seat(job, groups, now_ms())
        if out:
            await self.delivery(out)
        await self.world.save_met(event)

    def alive(self) -> bool:
        """The loop is running and ticked within the last few periods (or second)."""
        fresh = time.monotonic() - self.last_tick < max(2.0, 5 * self.period)
        return self._task.running() and fresh

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        step = self.period / self.parts
        due = loop.time()
        part = 0
        while True:
            started = loop.time()
            behind = started - due
            if behind > self.period:
                self.late += 1
                self.skipped += int(behind / self.period)
                due = started  # skip what we cannot catch up on
            # Every slice that is due: one when on time, more (at most a tick's)
            # when the loop's passes run longer than a slice, so ticks keep their
            # rate under load instead of waiting a pass for each slice.
            for _ in range(self.parts):
                try:
                    await self.tick(part)
                except Exception:  # one bad tick must not stop the floor
                    log.exception("tick failed")
                part = (part + 1) % self.parts
                due += step
                if due > loop.time():
                    break
            self.last_tick = time.monotonic()
            self.work.observe(loop.time() - started)
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def tick(self, part: int = 0) -> None:
        """Slice `part` of a tick: its rooms' positions; slice 0 also ends grace
        periods and mutes and, every `presence_every` ticks, sends presence."""
        first = part == 0
        if first:
            self.ticks += 1
        with_presence = first and self.ticks % self.presence_every == 0
        for event in list(self.world.events.values()):
            now = now_ms()
            out: Outbox = event.flush_positions(now, part, self.parts)
            if first:
                out += event.expire(now)
                out += event.expire_mutes(now)
                out += event.rounds.tick(now)
                # a share of the tables a tick, so each is seen about every two seconds
                event.rounds.observe(now, self.observe_share(event))
                job = event.rounds.due(now)
                if job is not None:
                    self._group(event, job)
                await self.world.save_met(event)
                await self.world.purge_unconnected(event, now)
            if with_presence:
                out += event.presence(now)
            if out:
                await self.delivery(out)
