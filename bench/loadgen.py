"""Kohtaamo load generator: many simulated people through the real front door.

One asyncio process. Each simulated person joins over HTTP, then opens a
WebSocket-only Socket.IO connection and speaks Engine.IO v4 / Socket.IO v5 with
the msgpack parser directly over a minimal WebSocket client (`bench.wsclient`:
cheaper than python-socketio's client and than aiohttp's, it counts what it need
not decode as it arrives). The handshake offers permessage-deflate, as browsers
do, so the server's choice is what gets measured.

Rules that keep it honest and safe:
- loopback only: the target URL must be on 127.0.0.0/8 or ::1;
- every loop is bounded in count and in time, and the run stops by itself;
- the generator reports its own CPU, so a saturated generator is never
  mistaken for a slow server.

Moves are stamped by the point itself: each person keeps the send time of its
recent points, and an observer at the same table looks the point up when a
`positions` message carries it. Chat text carries its send time.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bench.measure import (
    Stats,
    own_cpu_seconds,
    parse_metrics,
    percentiles,
    proc_cpu_seconds,
    proc_rss_kb,
    proc_wait_seconds,
    require_loopback,
    server_figures,
)
from bench.sim import WAIT_S, Sim

PROFILES: dict[str, dict[str, Any]] = {
    # the seed fair: 90 people at 14 tables, walking, chatting, exchanging cards
    "fair": dict(people=90, table_size=0, movers=0.3, move_hz=5.0, chat_every=30.0,
                 card_every=120.0, walk_every=45.0, host=True, observers_per_table=0),
    # N people at tables of 50, 10 % moving at 5 Hz, chat 1/2 min, a card 1/10 min
    "crowd": dict(people=2000, table_size=50, movers=0.1, move_hz=5.0, chat_every=120.0,
                  card_every=600.0, walk_every=0.0, host=False, observers_per_table=2),
    # N people all moving at 5 Hz: the worst case
    "stress": dict(people=2000, table_size=50, movers=1.0, move_hz=5.0, chat_every=120.0,
                   card_every=0.0, walk_every=0.0, host=False, observers_per_table=2),
    # `residents` seated and chatting while `people` join and connect at once
    "storm": dict(people=1000, table_size=50, movers=0.1, move_hz=5.0, chat_every=5.0,
                  card_every=0.0, walk_every=0.0, host=False, observers_per_table=0,
                  residents=100),
}




class Generator:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.url = args.url.rstrip("/")
        self.event = args.event
        self.deflate = not args.no_deflate
        self.stats = Stats()
        self.sims: list[Sim] = []
        self.by_id: dict[str, Sim] = {}
        self.rooms: list[dict[str, Any]] = []
        self.lobby = ""
        self.room_size = (1000, 1000)
        self.members: dict[str, list[Sim]] = {}
        self.http: aiohttp.ClientSession = None  # type: ignore[assignment]
        self.deadline = 0.0

    # --- seating bookkeeping ---------------------------------------------------

    def seat(self, sim: Sim, room: str) -> None:
        self.unseat(sim)
        sim.room = room
        self.members.setdefault(room, []).append(sim)

    def unseat(self, sim: Sim) -> None:
        if sim.room is not None:
            members = self.members.get(sim.room, [])
            if sim in members:
                members.remove(sim)

    def tables(self) -> list[str]:
        return [r["id"] for r in self.rooms if r["kind"] == "table"]

    # --- phases ----------------------------------------------------------------

    async def bring_in(self, sims: list[Sim], concurrency: int, seat: bool) -> float:
        """Join and connect `sims` with at most `concurrency` in flight; seconds taken."""
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()
        tables = self.tables()

        async def one(sim: Sim) -> None:
            async with gate:
                t0 = time.perf_counter()
                try:
                    if sim.token is None:
                        await sim.join()
                    await sim.connect()
                except Exception as exc:
                    self.stats.error(f"connect:{type(exc).__name__}:{str(exc)[:40]}")
                    return
                self.stats.connect_ms.append((time.perf_counter() - t0) * 1000)
                self.seat(sim, sim.room or self.lobby)
                if seat and tables and sim.role != "host":
                    await sim.enter(tables[sim.index % len(tables)])

        await asyncio.wait_for(
            asyncio.gather(*(one(s) for s in sims)), timeout=max(60.0, len(sims) * 0.2)
        )
        return time.perf_counter() - started

    async def discover(self) -> None:
        async with self.http.get(f"{self.url}/api/events/{self.event}") as r:
            info = await r.json()
        self.rooms = info["rooms"]
        self.lobby = next(r["id"] for r in self.rooms if r["kind"] == "lobby")

    async def metrics(self) -> dict[str, float]:
        try:
            async with self.http.get(f"{self.url}/metrics") as r:
                if r.status != 200:
                    return {}
                text = await r.text()
        except aiohttp.ClientError:
            return {}
        return parse_metrics(text)

    # --- activity drivers (each bounded by the deadline) -------------------------

    async def drive_moves(self, movers: Callable[[], list[Sim]], hz: float) -> None:
        """Each mover sends `hz` moves a second, spread over ten slots per period."""
        slots = 10
        step = 1.0 / hz / slots
        loop = asyncio.get_running_loop()
        due = loop.time()
        k = 0
        while loop.time() < self.deadline:
            for sim in movers()[k % slots::slots]:
                if sim.ws is not None and not sim.ws.closed and sim.room != self.lobby:
                    await sim.move()
            k += 1
            due += step
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def probe_lag(self, period: float = 0.01) -> None:
        """How late the generator's own loop wakes from a `period` sleep. When this is
        near the latency figures, they are the generator's, not the server's."""
        loop = asyncio.get_running_loop()
        stats = self.stats
        while loop.time() < self.deadline:
            t0 = loop.time()
            await asyncio.sleep(period)
            if stats.measuring:
                stats.gen_lag_ms.append(max(0.0, (loop.time() - t0 - period) * 1000))

    async def drive_poisson(
        self, every_s: float, action: Callable[[Sim], Awaitable[None]],
        pool: Callable[[], list[Sim]],
    ) -> None:
        """Each sim in `pool` acts about once per `every_s` seconds."""
        if every_s <= 0:
            return
        loop = asyncio.get_running_loop()
        owed = 0.0
        while loop.time() < self.deadline:
            people = pool()
            owed += len(people) * 0.1 / every_s
            while owed >= 1 and people:
                owed -= 1
                sim = random.choice(people)
                if sim.ws is not None and not sim.ws.closed:
                    await action(sim)
            await asyncio.sleep(0.1)

    async def card_request(self, sim: Sim) -> None:
        mates = [m for m in self.members.get(sim.room or "", []) if m is not sim and m.id]
        if mates:
            await sim.emit("card:request", {"to": random.choice(mates).id})

    async def walk(self, sim: Sim) -> None:
        tables = [t for t in self.tables() if t != sim.room]
        if tables:
            await sim.enter(random.choice(tables))

    async def drive_host(self, host: Sim) -> None:
        """The host announces now and then, and closes one table and opens it again."""
        loop = asyncio.get_running_loop()
        closed: str | None = None
        n = 0
        while loop.time() < self.deadline - 1:
            n += 1
            await host.emit("announce", {"text": f"Announcement {n}"})
            if n == 2 and self.tables():
                closed = self.tables()[-1]
                await host.emit("room:close", {"room": closed})
            elif n == 4 and closed:
                await host.emit("room:open", {"room": closed})
            await asyncio.sleep(min(10.0, max(0.5, self.deadline - loop.time() - 1)))

    # --- the run -------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        a = self.args
        p = {**PROFILES[a.profile]}
        for key in ("people", "table_size", "movers", "move_hz", "chat_every", "card_every",
                    "walk_every", "residents"):
            value = getattr(a, key, None)
            if value is not None:
                p[key] = value
        require_loopback(self.url)
        # no pool limit: each WebSocket holds a connection for the whole run;
        # `bring_in` bounds how many joins are in flight
        connector = aiohttp.TCPConnector(limit=0)
        self.http = aiohttp.ClientSession(connector=connector,
                                          timeout=aiohttp.ClientTimeout(total=WAIT_S))
        result: dict[str, Any] = {"profile": a.profile, "params": p, "deflate_offered":
                                  self.deflate, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        try:
            await self.discover()
            result.update(await self._run(p))
        finally:
            await asyncio.wait_for(
                asyncio.gather(*(s.close() for s in self.sims), return_exceptions=True), 30
            )
            await self.http.close()
        return result

    async def _run(self, p: dict[str, Any]) -> dict[str, Any]:
        a = self.args
        pid = a.server_pid
        stats = self.stats
        r: dict[str, Any] = {}
        rss0 = proc_rss_kb(pid) if pid else 0
        r["server_rss_idle_kb"] = rss0
        storm = a.profile == "storm"
        first = p.get("residents", 0) if storm else p["people"]
        self.sims = [Sim(self, i) for i in range(first)]
        host: Sim | None = None
        if p["host"] and a.host_token:
            host = Sim(self, len(self.sims), token=a.host_token, role="host")
            self.sims.append(host)
        # observers: every person in the fair, else the first few of each table
        n_tables = max(1, len(self.tables()))
        per = p["observers_per_table"]
        for s in self.sims:
            s.observer = per == 0 or s.index < per * n_tables
        r["connect_s"] = round(await self.bring_in(self.sims, a.concurrency, seat=True), 3)
        connected = sum(1 for s in self.sims if s.welcomed.is_set())
        r["connected"] = connected
        gc.collect()
        gc.freeze()  # what connecting built stays: keep it out of later collections
        await asyncio.sleep(a.settle)
        rss1 = proc_rss_kb(pid) if pid else 0
        r["server_rss_connected_kb"] = rss1
        r["rss_per_connection_kb"] = round((rss1 - rss0) / max(1, connected), 1)

        loop = asyncio.get_running_loop()
        self.deadline = loop.time() + a.warmup + a.duration
        movers: list[Sim] = []

        def pick_movers() -> list[Sim]:
            return movers

        async def rotate_movers() -> None:
            while loop.time() < self.deadline:
                seated = [s for s in attendees() if not s.closing]
                movers[:] = random.sample(seated, round(len(seated) * p["movers"]))
                await asyncio.sleep(5.0)

        residents = list(self.sims)

        def attendees() -> list[Sim]:
            # in the storm only the residents talk: the newcomers just arrive
            pool = residents if storm else self.sims
            return [s for s in pool if s.welcomed.is_set() and s.role != "host"]

        drivers = [
            rotate_movers(),
            self.probe_lag(),
            self.drive_moves(pick_movers, p["move_hz"]),
            self.drive_poisson(p["chat_every"], Sim.say, attendees),
            self.drive_poisson(p["card_every"], self.card_request, attendees),
            self.drive_poisson(p.get("walk_every", 0.0), self.walk, attendees),
        ]
        if host is not None:
            drivers.append(self.drive_host(host))
        tasks = [asyncio.create_task(d) for d in drivers]
        try:
            await asyncio.sleep(a.warmup)
            m0 = await self.metrics()
            cpu0 = proc_cpu_seconds(pid) if pid else 0.0
            wait0 = proc_wait_seconds(pid) if pid else 0.0
            gen0, t0 = own_cpu_seconds(), time.perf_counter()
            gen_wait0 = proc_wait_seconds(os.getpid())
            counts0 = Counter(stats.count)
            stats.t0 = time.perf_counter()
            stats.measuring = True
            if storm:
                r.update(await self._storm(p))
            await asyncio.sleep(max(0.0, self.deadline - loop.time()))
            stats.measuring = False
            window = time.perf_counter() - t0
            cpu1, gen1 = (proc_cpu_seconds(pid) if pid else 0.0), own_cpu_seconds()
            wait1 = proc_wait_seconds(pid) if pid else 0.0
            m1 = await self.metrics()
        finally:
            self.deadline = 0
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        delta = Counter(stats.count)
        delta.subtract(counts0)
        r["window_s"] = round(window, 2)
        r["server_cpu"] = round((cpu1 - cpu0) / window, 3) if pid else None
        r["server_cpu_wait"] = round((wait1 - wait0) / window, 3) if pid else None
        r["generator_cpu"] = round((gen1 - gen0) / window, 3)
        r["generator_cpu_wait"] = round(
            (proc_wait_seconds(os.getpid()) - gen_wait0) / window, 3)
        r["server_rss_end_kb"] = proc_rss_kb(pid) if pid else 0
        r["moves_sent_per_s"] = round(delta["moves_sent"] / window, 1)
        r["positions_delivered_per_s"] = round(delta["recv:positions"] / window, 1)
        r["chat_delivered_per_s"] = round(delta["recv:chat"] / window, 1)
        delivered = sum(v for k, v in delta.items() if k.startswith("recv:"))
        received = delta["moves_sent"] + sum(
            v for k, v in delta.items() if k.startswith(("ack_ok:", "refused:", "unknown_")))
        r["delivered_per_s"] = round(delivered / window, 1)
        # server CPU per message in or out: comparable across runs on a busy machine
        r["server_us_per_msg"] = (
            round((cpu1 - cpu0) * 1e6 / max(1, delivered + received), 1) if pid else None)
        # the generator's own CPU per message it read or sent (the same count), so
        # its cost sits beside the server's and a saturated generator shows
        r["generator_us_per_msg"] = round(
            (gen1 - gen0) * 1e6 / max(1, delivered + received), 1)
        r["move_to_peer_ms"] = percentiles(stats.move_ms)
        r["chat_to_peer_ms"] = percentiles(stats.chat_ms)
        if storm:  # only what was said while the newcomers arrived
            t0_storm, t1_storm = r.pop("_storm_span")
            r["storm_chat_ms"] = percentiles([
                ms for ms, sent in zip(stats.chat_ms, stats.chat_sent, strict=True)
                if t0_storm <= sent <= t1_storm])
        r["generator_lag_ms"] = percentiles(stats.gen_lag_ms)
        r["ack_ms"] = {k: percentiles(v) for k, v in sorted(stats.ack_ms.items())}
        r["connect_ms"] = percentiles(stats.connect_ms)
        r["move_worst_by_s"] = [round(stats.worst_by_s.get(i, 0.0)) for i in
                                range(int(window) + 1)]
        r.update(server_figures(m0, m1, window))
        r["errors"] = dict(stats.errors)
        r["error_count"] = sum(stats.errors.values())
        r["disconnects"] = stats.disconnects
        r["counts"] = {k: v for k, v in sorted(stats.count.items())}
        return r

    async def _storm(self, p: dict[str, Any]) -> dict[str, Any]:
        """Bring `people` in at once while the residents keep chatting."""
        start = len(self.sims)
        newcomers = [Sim(self, start + i) for i in range(p["people"])]
        for s in newcomers:
            s.quiet = True
        self.sims.extend(newcomers)
        t0 = time.perf_counter()
        taken = await self.bring_in(newcomers, self.args.concurrency, seat=False)
        return {
            "_storm_span": (t0, time.perf_counter()),
            "storm_s": round(taken, 3),
            "storm_welcomed": sum(1 for s in newcomers if s.welcomed.is_set()),
            "storm_connect_ms": percentiles(self.stats.connect_ms[-len(newcomers):]),
        }


def _loop_factory(choice: str) -> tuple[Callable[[], asyncio.AbstractEventLoop] | None, str]:
    """uvloop when installed (`auto`), or as asked: the generator handles a readable
    socket per frame received, which costs uvloop a fraction of asyncio's work."""
    if choice == "asyncio":
        return None, "asyncio"
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise SystemExit("--loop uvloop: uvloop is not installed") from None
        return None, "asyncio"
    return uvloop.new_event_loop, "uvloop"


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="server base URL (loopback only)")
    ap.add_argument("--event", required=True, help="event slug")
    ap.add_argument("--profile", choices=sorted(PROFILES), required=True)
    ap.add_argument("--people", type=int, help="people (storm: newcomers)")
    ap.add_argument("--residents", type=int, help="storm: people already inside")
    ap.add_argument("--movers", type=float, help="share of people moving at a time")
    ap.add_argument("--move-hz", dest="move_hz", type=float)
    ap.add_argument("--chat-every", dest="chat_every", type=float, help="seconds per person")
    ap.add_argument("--card-every", dest="card_every", type=float, help="seconds per person")
    ap.add_argument("--table-size", dest="table_size", type=int)
    ap.add_argument("--walk-every", dest="walk_every", type=float, help="seconds per person")
    ap.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds after connecting")
    ap.add_argument("--concurrency", type=int, default=100, help="joins in flight")
    ap.add_argument("--server-pid", type=int, default=0, help="read CPU and RSS of this pid")
    ap.add_argument("--host-token", help="fair: a host's token, for announcements")
    ap.add_argument("--no-deflate", action="store_true",
                    help="do not offer permessage-deflate (browsers do offer it)")
    ap.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto",
                    help="the generator's event loop (auto: uvloop when installed)")
    ap.add_argument("--out", help="write the JSON result here")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.duration > 600:
        raise SystemExit("--duration is capped at 600 s")
    # The generator's own full collections (thousands of connections' objects)
    # stalled its read loops for up to a second and showed up as latency.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    loop_factory, args.loop = _loop_factory(args.loop)
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(Generator(args).run())
    result["generator_loop"] = args.loop
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text, file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
