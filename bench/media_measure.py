"""What the media profile measures: CPU of the server, its Janus and the generator
at laps; the times from a start to each person's offer, answer and first audio;
the generator's own loop lag."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bench.measure import percentiles, proc_cpu_seconds, proc_wait_seconds

if TYPE_CHECKING:
    from bench.media import MediaSim


def offered(since: dict[MediaSim, float]) -> list[float]:
    """Milliseconds from `since` to each sim's first media:offer after it."""
    out = []
    for sim, t0 in since.items():
        later = [t for t in sim.offers_at if t >= t0]
        if later:
            out.append((min(later) - t0) * 1000)
    return out


def answered(since: dict[MediaSim, float]) -> list[float]:
    """Milliseconds from each sim's first offer after `since` to its first answer
    after that: the generator's own work (aiortc's setRemote/createAnswer)."""
    out = []
    for sim, t0 in since.items():
        offers = [t for t in sim.offers_at if t >= t0]
        if offers:
            answers = [t for t in sim.answers_at if t >= min(offers)]
            if answers:
                out.append((min(answers) - min(offers)) * 1000)
    return out


class Lag:
    """How late the generator's own loop wakes from a 10 ms sleep: when it nears the
    figures, they are the generator's, not the server's or Janus's."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    async def probe(self, period: float = 0.01) -> None:
        loop = asyncio.get_running_loop()
        for _ in range(200_000):  # bounded: about half an hour at most
            t0 = loop.time()
            await asyncio.sleep(period)
            self.samples.append(max(0.0, (loop.time() - t0 - period) * 1000))

    def take(self) -> dict[str, float | int | None]:
        out, self.samples = percentiles(self.samples), []
        return out


def after_offer(since: dict[MediaSim, float],
                voices: Callable[[MediaSim], set[str]]) -> list[float]:
    """Milliseconds from each sim's first offer after `since` to the first audio of
    one of its voices: the media's own part (ICE, DTLS, Janus starting to forward)."""
    out = []
    for sim, t0 in since.items():
        later = [t for t in sim.offers_at if t >= t0]
        heard = sim.ears.heard(voices(sim)) if sim.ears is not None else None
        if later and heard is not None:
            out.append((heard - min(later)) * 1000)
    return out


class Meter:
    """CPU of the server, its Janus and this generator, read at laps."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.janus = janus_pid(server_pid) if server_pid else None
        self.laps: list[tuple[str, float, float, float, float | None, float]] = []

    def _read(self) -> tuple[float, float, float | None, float]:
        """CPU seconds of the server, the generator and Janus, and the server's
        run-queue wait (runnable, waiting for its core)."""
        server = proc_cpu_seconds(self.pid) if self.pid else 0.0
        wait = proc_wait_seconds(self.pid) if self.pid else 0.0
        t = os.times()
        janus = None
        if self.janus is not None:
            with contextlib.suppress(OSError):
                janus = proc_cpu_seconds(self.janus)
        return server, t.user + t.system, janus, wait

    def start(self) -> None:
        self.janus = janus_pid(self.pid) if self.pid else None
        self.lap("start")

    def lap(self, name: str) -> None:
        self.laps.append((name, time.perf_counter(), *self._read()))

    def threads(self) -> int | None:
        """How many threads Janus runs now (one per connection unless `event_loops`)."""
        if self.janus is None:
            return None
        try:
            with open(f"/proc/{self.janus}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Threads:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return None

    def last_window(self) -> dict[str, Any]:
        (_, t0, s0, g0, j0, w0), (_, t1, s1, g1, j1, w1) = self.laps[-2:]
        seconds = t1 - t0
        return {"janus_threads": self.threads(),
                "server_wait": round((w1 - w0) / seconds, 4),"seconds": round(seconds, 2),
                "server_cpu": round((s1 - s0) / seconds, 4),
                "generator_cpu": round((g1 - g0) / seconds, 4),
                "janus_cpu": None if j0 is None or j1 is None else round((j1 - j0) / seconds, 4)}

    def figures(self) -> dict[str, Any]:
        """Totals from the start lap (after everyone connected) to the last."""
        (_, t0, s0, g0, j0, w0), (_, t1, s1, g1, j1, w1) = self.laps[0], self.laps[-1]
        return {"measured_s": round(t1 - t0, 2), "server_cpu_s": round(s1 - s0, 3),
                "server_wait_s": round(w1 - w0, 3),
                "generator_cpu_s": round(g1 - g0, 3),
                "janus_cpu_s": None if j0 is None or j1 is None else round(j1 - j0, 3),
                "janus_pid": self.janus,
                "laps": [(n, round(t - t0, 2)) for n, t, *_ in self.laps]}


def janus_pid(parent: int) -> int | None:
    """The `janus` process the server at `parent` started, if any."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                head, _, tail = f.read().rpartition(")")
        except OSError:
            continue
        if head.endswith("(janus") and int(tail.split()[1]) == parent:
            return int(entry)
    return None
