"""What the server measures about itself: histograms, collector pauses, requests.

Counters are plain integers bumped on the hot path; `server.http.health`
renders them (and what is read when scraped) for `/metrics`.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import logging
import time
from collections import Counter
from typing import Any

from rooms.commands import COMMANDS

log = logging.getLogger(__name__)

#: Upper bounds of the tick-work and collector-pause histograms, in seconds.
TICK_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


def loop_name(loop: asyncio.AbstractEventLoop) -> str:
    """`uvloop.Loop` or `asyncio.unix_events._UnixSelectorEventLoop`: logged at start-up
    and labelled in /metrics (`kohtaamo_event_loop_info`)."""
    kind = type(loop)
    return f"{kind.__module__}.{kind.__qualname__}"


class Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value
        self.count += 1

    def lines(self, name: str, labels: str = "") -> list[str]:
        """Exposition lines; `labels` like `generation="2"` go on every series."""
        out = []
        running = 0
        tail = f"{{{labels}}}" if labels else ""
        for bound, n in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += n
            le = "+Inf" if bound == float("inf") else repr(bound)
            out.append(f'{name}_bucket{{{labels + "," if labels else ""}le="{le}"}} {running}')
        out.append(f"{name}_sum{tail} {self.sum!r}")
        out.append(f"{name}_count{tail} {self.count}")
        return out


class GcPauses:
    """How long the cyclic garbage collector stops the process, by generation.

    A full (generation 2) collection walks every tracked object, so with
    thousands of connections it is the one pause the tick loop cannot hide.
    Installed in `gc.callbacks` while the app runs (`start`/`stop`).
    """

    def __init__(self) -> None:
        self.by_generation = [Histogram(TICK_BUCKETS) for _ in range(3)]
        #: the longest pause of each generation so far, in seconds
        self.longest = [0.0, 0.0, 0.0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation, pause = info["generation"], time.perf_counter() - self._started
            self.by_generation[generation].observe(pause)
            if pause > self.longest[generation]:
                self.longest[generation] = pause

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)
            log.info("collector pauses while serving, by generation: %s", "; ".join(
                f"{g}: {h.count} up to {1000 * self.longest[g]:.0f} ms"
                for g, h in enumerate(self.by_generation)))


class Requests:
    """Socket.IO requests by name and outcome (`ok`, an error code, or `received`
    for fire-and-forget `move`). Unknown names are counted as `other`."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self._known = frozenset(COMMANDS)

    def count(self, name: str, reply: Any) -> None:
        if name not in self._known:
            name = "other"
        if reply is None:
            outcome = "received"
        elif isinstance(reply, dict) and reply.get("ok"):
            outcome = "ok"
        elif isinstance(reply, dict):
            outcome = str(reply.get("error", {}).get("code", "internal"))
        else:
            outcome = "ok"
        self.counts[(name, outcome)] += 1
