"""Measurements for the load generator: percentiles, /proc readings, a loopback guard
and the counters one run collects."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import urllib.parse
from collections import Counter
from typing import Any


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    s = sorted(values)

    def at(q: float) -> float:
        return round(s[min(len(s) - 1, int(q * len(s)))], 2)

    return {"n": len(s), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99),
            "max": round(s[-1], 2)}


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_wait_seconds(pid: int) -> float:
    """Seconds the process's main thread spent runnable but waiting for a CPU
    (/proc/PID/schedstat): on a shared machine, the share of time it was starved."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text exposition as {name with labels: value}."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            out[name] = float(value)
    return out


def proc_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def require_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise SystemExit(f"refusing to load {host!r}: the generator targets loopback only")


class Stats:
    def __init__(self) -> None:
        self.measuring = False
        self.connect_ms: list[float] = []
        self.move_ms: list[float] = []
        self.chat_ms: list[float] = []
        #: when each of chat_ms was sent (perf_counter)
        self.chat_sent: list[float] = []
        #: how late the generator's own loop woke from a 10 ms sleep
        self.gen_lag_ms: list[float] = []
        self.ack_ms: dict[str, list[float]] = {}
        self.count: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.disconnects = 0
        self.t0 = 0.0
        #: the worst move→peer latency seen in each second of the window
        self.worst_by_s: dict[int, float] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


def server_figures(m0: dict[str, float], m1: dict[str, float], window: float) -> dict[str, Any]:
    """What the server's /metrics say about the window, from scrapes before and after."""
    if not (m0 and m1):
        return {"ticks_late": None}

    def d(name: str) -> float:
        return m1.get(name, 0.0) - m0.get(name, 0.0)

    def gc_pauses(gen: int) -> dict[str, float]:
        count = d(f'kohtaamo_gc_pause_seconds_count{{generation="{gen}"}}')
        return {"n": count,
                "ms": round(1000 * d(f'kohtaamo_gc_pause_seconds_sum{{generation="{gen}"}}'), 1),
                "over_100ms": count - d(
                    f'kohtaamo_gc_pause_seconds_bucket{{generation="{gen}",le="0.1"}}')}

    gc = {gen: gc_pauses(gen) for gen in range(3)}
    return {
        "ticks": d("kohtaamo_tick_seconds_count"),
        "ticks_late": d("kohtaamo_ticks_late_total"),
        "tick_work_mean_ms": round(
            1000 * d("kohtaamo_tick_seconds_sum") / max(1.0, d("kohtaamo_tick_seconds_count")), 2),
        # the server's cyclic GC: full collections (the pause that scales with N),
        # and each generation's collections, total pause and pauses over 100 ms
        "gc_full": gc[2]["n"],
        "gc_full_pause_ms": gc[2]["ms"],
        "gc": gc,
        "loop_stalls": d("kohtaamo_loop_stalls_total"),
        "moves_ingested_per_s": round(
            d('kohtaamo_requests_total{name="move",outcome="received"}') / window, 1),
    }
