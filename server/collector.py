"""The cyclic garbage collector after a wave of connections (`[tuning] gc_settle`).

Each connection leaves hundreds of container objects that live as long as it
does (engineio's socket and queue, aiohttp's protocol and request, asyncio's
futures, the session). Arriving by thousands, they survive young collections
into generation 1, and the next generation-1 collection walks all of them at
once: half a second with the loop stopped at `crowd` 5,000.

The policy, checked once a `interval`:

- **freeze** when at least `wave` connections arrived since the last settle and
  none for `quiet` seconds, or at once when `step` arrived (a long wave is
  settled in steps): `gc.collect(0)` (the youngest generation's cycles, cheap),
  then `gc.freeze()`, which moves every survivor into the permanent generation
  that no collection walks. Objects freed by reference counting still go at
  once, frozen or not; what freezing keeps is *cyclic* garbage.
- **release** when half of the connections that were present at the last
  freeze have gone (counted by Engine.IO sid, so turnover counts even when the
  total stays level) and none went for `quiet` seconds (or nine in ten have
  gone): `gc.unfreeze()`, one full `gc.collect()` that frees the cycles of
  those who left, and `gc.freeze()` again for those who stayed.

So frozen cyclic garbage is bounded by the connections that had left since the
last freeze, at most half of those frozen (or nine in ten, under unbroken
churn), and a full collection runs once per halving: its pause is that of one
full collection of the heap at that moment, which with most people gone is the
smallest it will be.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable, Collection, Hashable

log = logging.getLogger(__name__)


class Settler:
    """Freezes the survivors of a connection wave; releases them when most are gone.

    `connections` returns the ids of the connections now open; `clock` is
    monotonic seconds. `check()` applies the policy once (tests call it with a
    clock of their own); `start()` runs it every `interval` on the loop.
    """

    def __init__(
        self, connections: Callable[[], Collection[Hashable]], *, wave: int = 200,
        step: int = 1000, quiet: float = 2.0, interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connections = connections
        self.wave, self.step, self.quiet, self.interval = wave, step, quiet, interval
        self.clock = clock
        #: settles done, for /metrics
        self.freezes = 0
        self.releases = 0
        #: connections open at the last freeze (whose objects it froze)
        self._frozen: frozenset[Hashable] = frozenset()
        self._last: frozenset[Hashable] = frozenset()
        self._arrived = 0  # since the last settle
        self._arrived_at = self._left_at = clock()
        self._task: asyncio.Task[None] | None = None

    def check(self) -> str | None:
        """Apply the policy once: "freeze", "release" or None."""
        now = self.clock()
        current = frozenset(self.connections())
        arrived = len(current - self._last)
        if arrived:
            self._arrived += arrived
            self._arrived_at = now
        if len(self._last - current):
            self._left_at = now
        self._last = current
        gone = len(self._frozen - current)
        if gone and (gone * 10 >= len(self._frozen) * 9
                     or (gone * 2 >= len(self._frozen) and now - self._left_at >= self.quiet)):
            self._release(current)
            return "release"
        if self._arrived >= self.step or (
                self._arrived >= self.wave and now - self._arrived_at >= self.quiet):
            self._freeze(current)
            return "freeze"
        return None

    def _freeze(self, current: frozenset[Hashable]) -> None:
        gc.collect(0)
        gc.freeze()
        self.freezes += 1
        # (no gc.get_freeze_count() here: it walks the whole permanent generation)
        log.info("collector: froze the survivors of %d new connections (%d open)",
                 self._arrived, len(current))
        self._settled(current)

    def _release(self, current: frozenset[Hashable]) -> None:
        gone = len(self._frozen - current)
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self.releases += 1
        log.info("collector: %d of %d frozen connections gone; released, collected %d objects "
                 "in %.0f ms, froze again (%d open)", gone, len(self._frozen), found,
                 (time.perf_counter() - started) * 1000, len(current))
        self._settled(current)

    def _settled(self, current: frozenset[Hashable]) -> None:
        self._frozen = current
        self._arrived = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.check()
            except Exception:  # the policy must never end the server's loop
                log.exception("collector settle failed")
