"""`/metrics`: Prometheus text exposition, written by hand (no extra dependency).

Counters are plain integers bumped on the hot path; everything else is read
when scraped. Only loopback clients and the addresses in `metrics_allow` may
read it; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import bisect
import gc
import ipaddress
import time
from collections import Counter
from typing import Any

from aiohttp import web

from rooms.commands import COMMANDS

#: Upper bounds of the tick-work and collector-pause histograms, in seconds.
TICK_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


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
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.by_generation[info["generation"]].observe(time.perf_counter() - self._started)

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)


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


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(app: web.Application) -> str:
    # imported here: server.keys imports the tick loop, which imports this module
    from server.keys import GC_PAUSES, SIO, TICK, WATCHDOG, WORLD

    world, tick, requests = app[WORLD], app[TICK], app[SIO].requests
    lines = [
        "# HELP kohtaamo_people_connected People with a live connection, per event.",
        "# TYPE kohtaamo_people_connected gauge",
    ]
    for slug, event in world.events.items():
        n = sum(1 for p in event.people.values() if p.connected)
        lines.append(f'kohtaamo_people_connected{{event="{_label(slug)}"}} {n}')
    lines += [
        "# HELP kohtaamo_tick_seconds Work done in one tick, or one slice of a split tick.",
        "# TYPE kohtaamo_tick_seconds histogram",
        *tick.work.lines("kohtaamo_tick_seconds"),
        "# HELP kohtaamo_ticks_late_total Ticks (or slices) started more than a tick late.",
        "# TYPE kohtaamo_ticks_late_total counter",
        f"kohtaamo_ticks_late_total {tick.late}",
        "# HELP kohtaamo_ticks_skipped_total Tick periods skipped to catch up.",
        "# TYPE kohtaamo_ticks_skipped_total counter",
        f"kohtaamo_ticks_skipped_total {tick.skipped}",
        "# HELP kohtaamo_gc_pause_seconds Pauses of the cyclic garbage collector.",
        "# TYPE kohtaamo_gc_pause_seconds histogram",
        *(line for generation, pauses in enumerate(app[GC_PAUSES].by_generation)
          for line in pauses.lines("kohtaamo_gc_pause_seconds", f'generation="{generation}"')),
        "# HELP kohtaamo_loop_stalls_total Times the event loop did not turn for 250 ms.",
        "# TYPE kohtaamo_loop_stalls_total counter",
        f"kohtaamo_loop_stalls_total {app[WATCHDOG].stalls}",
        "# HELP kohtaamo_loop_stall_longest_seconds The longest such stall so far.",
        "# TYPE kohtaamo_loop_stall_longest_seconds gauge",
        f"kohtaamo_loop_stall_longest_seconds {app[WATCHDOG].longest!r}",
        "# HELP kohtaamo_requests_total Socket.IO requests by name and outcome.",
        "# TYPE kohtaamo_requests_total counter",
    ]
    for (name, outcome), n in sorted(requests.counts.items()):
        lines.append(
            f'kohtaamo_requests_total{{name="{_label(name)}",outcome="{_label(outcome)}"}} {n}'
        )
    return "\n".join(lines) + "\n"


def allowed(remote: str | None, allow: tuple[str, ...]) -> bool:
    if remote is None:
        return False
    if remote in allow:
        return True
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


routes = web.RouteTableDef()


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    from server.keys import CONFIG

    if not allowed(request.remote, request.app[CONFIG].metrics_allow):
        raise web.HTTPNotFound()
    return web.Response(body=render(request.app).encode(),
                        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
