"""Kohtaamo load generator: many simulated people through the real front door.

One asyncio process. Each simulated person joins over HTTP, then opens a
WebSocket-only Socket.IO connection and speaks Engine.IO v4 / Socket.IO v5 with
the msgpack parser directly over aiohttp's WebSocket client (cheaper than
python-socketio's client). The handshake offers permessage-deflate, as browsers
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
import contextlib
import gc
import ipaddress
import json
import os
import random
import re
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import msgpack

# Socket.IO packet types
CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = 0, 1, 2, 3, 4

#: How long any single wait may take before it counts as an error.
WAIT_S = 30.0

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
        self.ack_ms: dict[str, list[float]] = {}
        self.count: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.disconnects = 0
        self.t0 = 0.0
        #: the worst move→peer latency seen in each second of the window
        self.worst_by_s: dict[int, float] = {}

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


class Sim:
    """One simulated person: an HTTP join and one Engine.IO/Socket.IO websocket."""

    def __init__(
        self, gen: Generator, index: int, token: str | None = None, role: str = "attendee",
    ) -> None:
        self.gen = gen
        self.index = index
        self.role = role
        self.name = f"Bench {index}"
        self.token = token
        self.id = ""
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None
        self.welcomed = asyncio.Event()
        self.welcome: dict[str, Any] = {}
        self.room: str | None = None
        self.observer = False
        self.closing = False
        self.x = 500
        self.y = 500
        #: recent points sent and when (perf_counter), for move→peer latency
        self.sent: dict[tuple[int, int], float] = {}
        self._acks: dict[int, tuple[str, float, Callable[[dict[str, Any]], None] | None]] = {}
        self._next_ack = 0

    # --- front door ------------------------------------------------------------

    async def join(self) -> None:
        url = f"{self.gen.url}/api/events/{self.gen.event}/join"
        async with self.gen.http.post(url, json={"name": self.name}) as r:
            body = await r.json()
            if r.status != 201:
                code = body.get("error", {}).get("code", r.status)
                raise RuntimeError(f"join {r.status} {code}")
        self.token = body["token"]
        self.id = body["person"]["id"]

    async def connect(self) -> None:
        ws_url = self.gen.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.gen.http.ws_connect(
            ws_url, compress=15 if self.gen.deflate else 0, autoping=True,
            max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=2.0),
        )
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.welcomed.wait(), WAIT_S)

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2.0)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader

    # --- sending ---------------------------------------------------------------

    async def _send(self, pkt: dict[str, Any]) -> None:
        ws = self.ws
        if ws is None or ws.closed:
            return
        try:
            await ws.send_bytes(msgpack.packb(pkt))
        except (ConnectionError, RuntimeError):
            self.gen.stats.error("send_failed")

    async def emit(
        self, name: str, data: Any,
        on_ack: Callable[[dict[str, Any]], None] | None = None, ack: bool = True,
    ) -> None:
        pkt: dict[str, Any] = {"type": EVENT, "nsp": "/", "data": [name, data]}
        if ack:
            self._next_ack += 1
            pkt["id"] = self._next_ack
            self._acks[self._next_ack] = (name, time.perf_counter(), on_ack)
        await self._send(pkt)

    async def move(self) -> None:
        w, h = self.gen.room_size
        for _ in range(4):  # a new point, different from the last
            nx = min(max(self.x + random.randint(-20, 20), 1), w - 1)
            ny = min(max(self.y + random.randint(-20, 20), 1), h - 1)
            if (nx, ny) != (self.x, self.y):
                break
        self.x, self.y = nx, ny
        sent = self.sent
        if len(sent) > 64:
            del sent[next(iter(sent))]
        sent[(nx, ny)] = time.perf_counter()
        self.gen.stats.count["moves_sent"] += 1
        await self.emit("move", {"x": nx, "y": ny}, ack=False)

    async def say(self) -> None:
        await self.emit("say", {"text": f"bench {time.perf_counter():.6f} hello"})

    async def enter(self, room: str) -> None:
        def done(reply: dict[str, Any]) -> None:
            if reply.get("ok"):
                self.gen.seat(self, room)
        await self.emit("enter", {"room": room}, done)

    # --- receiving -------------------------------------------------------------

    async def _read(self) -> None:
        ws = self.ws
        assert ws is not None
        stats = self.gen.stats
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    await self._packet(msgpack.unpackb(msg.data, strict_map_key=False))
                elif msg.type == aiohttp.WSMsgType.TEXT:
                    await self._engineio(msg.data)
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    stats.error("ws_error")
                    break
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            stats.error(f"reader:{type(exc).__name__}")
        if not self.closing:
            stats.disconnects += 1
            self.gen.unseat(self)

    async def _engineio(self, text: str) -> None:
        kind = text[:1]
        if kind == "0":  # OPEN: now connect the default namespace with our token
            await self._send({"type": CONNECT, "nsp": "/", "data": {"token": self.token}})
        elif kind == "2":  # PING from the server
            assert self.ws is not None
            await self.ws.send_str("3")
        elif kind == "1":
            self.gen.stats.count["eio_close"] += 1

    async def _packet(self, pkt: dict[str, Any]) -> None:
        kind = pkt.get("type")
        stats = self.gen.stats
        if kind == EVENT:
            data = pkt.get("data") or [None]
            await self._event(data[0], data[1] if len(data) > 1 else None)
        elif kind == ACK:
            entry = self._acks.pop(pkt.get("id", -1), None)
            if entry is None:
                stats.error("stray_ack")
                return
            name, t0, callback = entry
            reply = (pkt.get("data") or [{}])[0]
            if stats.measuring:
                stats.ack_ms.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            if reply.get("ok"):
                stats.count[f"ack_ok:{name}"] += 1
            else:
                err = reply.get("error", {})
                code = err.get("code", "?")
                if code == "bad_request" and "unknown request" in err.get("message", ""):
                    stats.count[f"unknown_request:{name}"] += 1
                elif code in ("room_full", "room_closed", "rate_limited", "conflict"):
                    stats.count[f"refused:{name}:{code}"] += 1  # legitimate domain answers
                else:
                    stats.error(f"ack:{name}:{code}")
            if callback is not None:
                callback(reply)
        elif kind == CONNECT:
            stats.count["sio_connected"] += 1
        elif kind == CONNECT_ERROR:
            stats.error(f"connect_error:{(pkt.get('data') or {}).get('code')}")
            if self.ws is not None:
                await self.ws.close()
        elif kind == DISCONNECT:
            stats.count["server_disconnect"] += 1

    async def _event(self, name: str, data: Any) -> None:
        stats = self.gen.stats
        stats.count[f"recv:{name}"] += 1
        if name == "positions":
            if self.observer and stats.measuring:
                now = time.perf_counter()
                sims = self.gen.by_id
                for pid, x, y in data["p"]:
                    if pid == self.id:
                        continue
                    sender = sims.get(pid)
                    t0 = sender.sent.get((x, y)) if sender is not None else None
                    if t0 is not None:
                        ms = (now - t0) * 1000
                        stats.move_ms.append(ms)
                        second = int(now - stats.t0)
                        if ms > stats.worst_by_s.get(second, 0.0):
                            stats.worst_by_s[second] = ms
        elif name == "chat":
            if self.observer and stats.measuring and data.get("from") != self.id:
                m = _STAMP.match(data.get("text", ""))
                if m:
                    stats.chat_ms.append((time.perf_counter() - float(m.group(1))) * 1000)
        elif name == "welcome":
            self.welcome = data
            self.id = data["me"]["id"]
            self.room = data["room"]["room"]["id"]
            self.gen.by_id[self.id] = self
            self.welcomed.set()
        elif name == "moved":
            self.gen.seat(self, data["room"]["room"]["id"])
        elif name == "card:requested":
            await self.emit("card:respond", {"request": data["request"], "accept": True})
        elif name == "error":
            stats.error(f"event:{data.get('request')}:{data.get('code')}")
        elif name in ("kicked", "replaced"):
            stats.error(name)


_STAMP = re.compile(r"bench (\d+\.\d+) ")


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
        out: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            with contextlib.suppress(ValueError):
                out[name] = float(value)
        return out

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
            gen0, t0 = _own_cpu(), time.perf_counter()
            gen_wait0 = proc_wait_seconds(os.getpid())
            counts0 = Counter(stats.count)
            stats.t0 = time.perf_counter()
            stats.measuring = True
            if storm:
                r.update(await self._storm(p))
            await asyncio.sleep(max(0.0, self.deadline - loop.time()))
            stats.measuring = False
            window = time.perf_counter() - t0
            cpu1, gen1 = (proc_cpu_seconds(pid) if pid else 0.0), _own_cpu()
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
        r["move_to_peer_ms"] = percentiles(stats.move_ms)
        r["chat_to_peer_ms"] = percentiles(stats.chat_ms)
        r["ack_ms"] = {k: percentiles(v) for k, v in sorted(stats.ack_ms.items())}
        r["connect_ms"] = percentiles(stats.connect_ms)
        r["move_worst_by_s"] = [round(stats.worst_by_s.get(i, 0.0)) for i in
                                range(int(window) + 1)]
        if m0 and m1:
            def d(name: str) -> float:
                return m1.get(name, 0.0) - m0.get(name, 0.0)
            r["ticks"] = d("kohtaamo_tick_seconds_count")
            r["ticks_late"] = d("kohtaamo_ticks_late_total")
            r["tick_work_mean_ms"] = round(
                1000 * d("kohtaamo_tick_seconds_sum") / max(1.0, d("kohtaamo_tick_seconds_count")),
                2)
            r["moves_ingested_per_s"] = round(
                d('kohtaamo_requests_total{name="move",outcome="received"}') / window, 1)
        else:
            r["ticks_late"] = None
        r["errors"] = dict(stats.errors)
        r["error_count"] = sum(stats.errors.values())
        r["disconnects"] = stats.disconnects
        r["counts"] = {k: v for k, v in sorted(stats.count.items())}
        return r

    async def _storm(self, p: dict[str, Any]) -> dict[str, Any]:
        """Bring `people` in at once while the residents keep chatting."""
        start = len(self.sims)
        newcomers = [Sim(self, start + i) for i in range(p["people"])]
        self.sims.extend(newcomers)
        taken = await self.bring_in(newcomers, self.args.concurrency, seat=False)
        return {
            "storm_s": round(taken, 3),
            "storm_welcomed": sum(1 for s in newcomers if s.welcomed.is_set()),
            "storm_connect_ms": percentiles(self.stats.connect_ms[-len(newcomers):]),
        }


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system


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
    result = asyncio.run(Generator(args).run())
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text, file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
