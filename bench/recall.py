"""A recall of everyone to the stage: does the floor stall?

    .venv/bin/python -m bench.recall --people 1000
    .venv/bin/python -m bench.recall --people 1000 --media --listeners 100 --publishers 20

Starts `kohtaamo serve` as bench/run.py does (its configuration, pinning, host
token and stop; with `--media` the managed Janus), seats `--people` at tables
of 50, a host in the lobby and `--observers` moderators at two tables who
move at 5 Hz and chat every 2 s (staff are not recalled: their latency is the
floor's during the recall). Then the host calls `recall`. Measured:

- the recall's ack, and each person's `moved` after it (p50/p99, the last);
- the observers' move→peer and chat→peer latency before and during the recall
  (from the `recall` until a second after the last `moved`);
- from /metrics: loop stalls (the watchdog's, over 250 ms) and the longest,
  late ticks, GC pauses; the watchdog's reports from the server log;
- the server's CPU in the recall window, and Janus's with `--media`;
- with `--media`: the host speaks on the stage, `--publishers` people publish
  at their tables and `--listeners` subscribe there (real aiortc peers,
  bench/peers.py); the recall ends the publishers and renegotiates every
  listener to the host: recall → the host's first audio packet per listener.

The generator runs in this process, pinned to `--gen-core`; loopback only;
every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import run
from bench.loadgen import Generator
from bench.measure import percentiles, proc_cpu_seconds, server_figures
from bench.media_measure import Lag, janus_pid
from bench.media_sim import MediaSim, SimHost
from bench.sim import Sim

TABLE = 50
#: How long the recall may take to reach everyone before the run gives up on them.
RECALL_S = 60.0


class RecallGen(SimHost):
    """What Sim and MediaSim need of a generator, and the recall's phases."""

    def __init__(self, args: argparse.Namespace, url: str, server_pid: int) -> None:
        super().__init__(url, run.EVENT)
        self.args = args
        self.server_pid = server_pid
        self.lobby = ""
        self.recalled_at = 0.0
        #: when each recalled person got `moved` to the lobby (perf_counter)
        self.moved_at: dict[Sim, float] = {}
        self.deadline = 0.0
        self.lag = Lag()

    # what Sim calls
    def seat(self, sim: Sim, room: str) -> None:
        sim.room = room
        if room == self.lobby and self.recalled_at and sim not in self.moved_at:
            self.moved_at[sim] = time.perf_counter()

    metrics = Generator.metrics

    async def run(self, tokens: dict[str, list[str]]) -> dict[str, Any]:
        everyone: list[Sim] = []
        return await self.bounded(self._run(tokens, everyone), 600, lambda: everyone)

    async def _run(self, tokens: dict[str, list[str]], everyone: list[Sim]) -> dict[str, Any]:
        a = self.args
        async with self.http.get(f"{self.url}/api/events/{self.event}") as resp:
            rooms = (await resp.json())["rooms"]
        tables = [r["id"] for r in rooms if r["kind"] == "table"]
        self.lobby = next(r["id"] for r in rooms if r["kind"] == "lobby")
        people = [MediaSim(self, i) for i in range(a.people)]  # type: ignore[arg-type]
        host = MediaSim(self, a.people, token=tokens["host"][0], role="host")  # type: ignore[arg-type]
        observers = [MediaSim(self, a.people + 1 + k, token=t, role="moderator")  # type: ignore[arg-type]
                     for k, t in enumerate(tokens["moderator"])]
        everyone += [*people, host, *observers]
        for sim in people:
            sim.table = tables[sim.index % len(tables)]
            # count what they only hear (room:joined/left, positions, chat, presence)
            # from the frame's first bytes: one core decoding what 1,000 browsers
            # would saturates, and its lag would be read as the server's
            sim.quiet = True
        for k, sim in enumerate(observers):  # two a table, at the first tables
            sim.table = tables[(k // 2) % len(tables)]
            sim.observer = True
        # publishers: the first at each of the first tables; listeners: people at
        # other seats, spread over the tables
        publishers = people[:a.publishers] if a.media else []
        listeners = people[len(tables):][:a.listeners] if a.media else []
        r: dict[str, Any] = {"profile": "recall", "people": a.people, "tables": len(tables),
                             "observers": len(observers), "media": a.media,
                             "publishers": len(publishers), "listeners": len(listeners),
                             "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        t0 = time.perf_counter()
        await self._all(self._arrive, everyone, 100, per_sim=0.5)
        r["connect_s"] = round(time.perf_counter() - t0, 2)
        r["connected"] = sum(1 for s in everyone if s.welcomed.is_set())
        if a.media:
            media = host.welcome.get("event", {}).get("media", {})
            if not media.get("enabled"):
                raise SystemExit(f"the server has no media: {media}")
            await host.publish()
            await self._all(self._publish, publishers, 10, per_sim=0.5)
            await self._all(lambda s: s.subscribe(), listeners, 10, per_sim=0.5)
        loop = asyncio.get_running_loop()
        self.deadline = loop.time() + 600
        await asyncio.sleep(2.0)  # settle
        movers = [s for s in people if s.index % 10 == 0] + observers
        busy = [asyncio.create_task(self._drive(movers, observers)),
                asyncio.create_task(self.lag.probe())]
        await asyncio.sleep(1.0)
        self.stats.measuring = True
        before = len(self.stats.move_ms), len(self.stats.chat_ms)
        await asyncio.sleep(a.before)
        m0, cpu0, j0 = await self._read()
        g0 = os.times()
        r["before_generator_lag_ms"] = self.lag.take()
        mark = len(self.stats.move_ms), len(self.stats.chat_ms)
        for sim in listeners:
            if sim.ears is not None:
                sim.ears.mark()
        spy = self._spy()
        self.recalled_at = t_recall = time.perf_counter()
        reply = await host.call("recall", {})
        r["recall_ack_ms"] = round((time.perf_counter() - t_recall) * 1000, 1)
        r["recall_reply"] = reply
        end = loop.time() + RECALL_S
        while len(self.moved_at) < len(people) and loop.time() < end:
            await asyncio.sleep(0.02)
        t_all = time.perf_counter()
        heard: list[float] = []
        if listeners:
            heard = await self._heard(listeners, host.id, t_recall, end)
        await asyncio.sleep(1.0)
        m1, cpu1, j1 = await self._read()
        g1 = os.times()
        t_end = time.perf_counter()
        r["during_generator_lag_ms"] = self.lag.take()
        self.deadline = 0.0
        for task in busy:
            task.cancel()
        await asyncio.gather(*busy, return_exceptions=True)
        moved = [(t - t_recall) * 1000 for t in self.moved_at.values()]
        r["moved_ms"] = percentiles(moved)
        r["moved"] = f"{len(moved)}/{len(people)}"
        r["all_moved_s"] = round(t_all - t_recall, 3)
        if listeners:
            r["recall_to_audio_ms"] = percentiles(heard)
            r["heard"] = f"{len(heard)}/{len(listeners)}"
        s = self.stats
        r["before_move_ms"] = percentiles(s.move_ms[before[0]:mark[0]])
        r["before_chat_ms"] = percentiles(s.chat_ms[before[1]:mark[1]])
        r["during_move_ms"] = percentiles(s.move_ms[mark[0]:])
        r["during_chat_ms"] = percentiles(s.chat_ms[mark[1]:])
        window = t_end - t_recall
        r["window_s"] = round(window, 2)
        r["server"] = server_figures(m0, m1, window)
        r["server"]["loop_stall_longest_s"] = m1.get("kohtaamo_loop_stall_longest_seconds")
        r["server"]["slow_readers_closed"] = (m1.get("kohtaamo_slow_readers_closed_total", 0)
                                              - m0.get("kohtaamo_slow_readers_closed_total", 0))
        if spy is not None:
            await asyncio.to_thread(spy.wait, 60)
        r["server_cpu_s"] = round(cpu1 - cpu0, 3)
        r["generator_cpu_s"] = round(g1.user + g1.system - g0.user - g0.system, 3)
        r["janus_cpu_s"] = None if j0 is None or j1 is None else round(j1 - j0, 3)
        r["ack_ms"] = {k: percentiles(v) for k, v in sorted(s.ack_ms.items())}
        r["errors"] = dict(s.errors)
        r["error_count"] = sum(s.errors.values())
        r["disconnects"] = s.disconnects
        return r

    def _spy(self) -> subprocess.Popen[bytes] | None:
        """py-spy on the server for `--profile-server` seconds from the recall on
        (collapsed stacks beside the result)."""
        if not self.args.profile_server:
            return None
        self.spy_out = self.args.results / f"{time.strftime('%Y%m%d-%H%M%S')}-recall.folded"
        return subprocess.Popen(
            [str(run.VENV_BIN / "py-spy"), "record", "--pid", str(self.server_pid),
             "--duration", str(int(self.args.profile_server)), "--format", "raw",
             "--rate", "200", "--output", str(self.spy_out), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def _read(self) -> tuple[dict[str, float], float, float | None]:
        janus = janus_pid(self.server_pid)
        return (await self.metrics(), proc_cpu_seconds(self.server_pid),
                proc_cpu_seconds(janus) if janus else None)

    async def _arrive(self, sim: MediaSim) -> None:
        if sim.token is None:
            await sim.join()
        await sim.connect()
        if sim.table is not None:
            reply = await sim.call("enter", {"room": sim.table})
            if not reply.get("ok"):
                raise RuntimeError(f"enter: {reply.get('error')}")
            sim.room = sim.table

    async def _publish(self, sim: MediaSim) -> None:
        await sim.publish()


    async def _drive(self, movers: list[MediaSim], observers: list[MediaSim]) -> None:
        """A tenth of the people and every observer move at 5 Hz (people only while
        at a table), and the observers chat every 2 s; until the deadline."""
        loop = asyncio.get_running_loop()
        k = 0
        due = loop.time()
        while self.deadline and loop.time() < self.deadline:
            for sim in movers[k % 10::10]:
                if sim.ws is not None and not sim.ws.closed and sim.room != self.lobby:
                    await sim.move()
            if k % 100 == 0:
                for sim in observers:
                    await sim.say()
            k += 1
            due += 0.02
            await asyncio.sleep(max(0.0, due - loop.time()))

    async def _heard(self, listeners: list[MediaSim], host: str, t0: float,
                     end: float) -> list[float]:
        loop = asyncio.get_running_loop()
        heard: dict[MediaSim, float] = {}
        while len(heard) < len(listeners) and loop.time() < end:
            for sim in listeners:
                if sim not in heard and sim.ears is not None:
                    t = sim.ears.heard({host})
                    if t is not None:
                        heard[sim] = (t - t0) * 1000
            await asyncio.sleep(0.05)
        if len(heard) < len(listeners):
            self.stats.error(f"not_heard:{len(listeners) - len(heard)}")
        return list(heard.values())


def staff_token(kohtaamo: str, config: Path, db: Path, role: str, name: str) -> str:
    out = subprocess.run(
        [kohtaamo, "staff", "add", run.EVENT, "--role", role, "--name", name,
         "--config", str(config), "--db", str(db), "--json"],
        capture_output=True, timeout=60, check=True)
    return str(json.loads(out.stdout)["token"])


def config_args(args: argparse.Namespace) -> argparse.Namespace:
    """What bench.run.bench_config reads: the media profile's event (tables roomy
    enough for everyone), with `[media]` on or off."""
    return argparse.Namespace(
        profile="media", tuning=args.tuning, set=args.set, tick_hz=10, naive=False,
        table_size=None, no_media=not args.media, tables=math.ceil(args.people / TABLE))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--observers", type=int, default=4, help="moderators at two tables")
    ap.add_argument("--media", action="store_true", help="calls on (the managed Janus)")
    ap.add_argument("--listeners", type=int, default=100, help="with --media")
    ap.add_argument("--publishers", type=int, default=20, help="with --media")
    ap.add_argument("--before", type=float, default=5.0, help="seconds measured before")
    ap.add_argument("--tuning", choices=["default", "stock"], default="default")
    ap.add_argument("--set", action="append", metavar="KEY=JSON")
    ap.add_argument("--label", default="")
    ap.add_argument("--profile-server", dest="profile_server", type=float, metavar="SECONDS",
                    help="record the server with py-spy for this long from the recall on")
    ap.add_argument("--server-core", default="0")
    ap.add_argument("--gen-core", default="1")
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument("--results", type=Path, default=run.RESULTS)
    args = ap.parse_args(argv)
    if args.people > 5000 or args.before > 60:
        raise SystemExit("--people is capped at 5,000 and --before at 60 s")
    random.seed(14)
    if args.gen_core:
        os.sched_setaffinity(0, {int(args.gen_core)})
    label = args.label or f"recall-{args.people}{'-media' if args.media else ''}"
    with tempfile.TemporaryDirectory(prefix="kohtaamo-recall-") as tmp:
        folder = Path(tmp)
        config, db, log = folder / "config.toml", folder / "bench.db", folder / "server.log"
        # room for the observers too (tables hold `people` + 1)
        config.write_text(run.bench_config(config_args(args), args.people + args.observers),
                          encoding="utf-8")
        kohtaamo = str(run.VENV_BIN / "kohtaamo")
        tokens = {"host": [staff_token(kohtaamo, config, db, "host", "Bench host")],
                  "moderator": [staff_token(kohtaamo, config, db, "moderator", f"Observer {k}")
                                for k in range(args.observers)]}
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [*run.pin(args.server_core, args.nice), kohtaamo, "serve", "--config",
                 str(config), "--port", "0", "--db", str(db)],
                stdout=log_file, stderr=subprocess.STDOUT)
        try:
            url = run.wait_listening(log, server, 30)
            result = asyncio.run(RecallGen(args, url, server.pid).run(tokens))
        finally:
            code = run.stop(server)
            server_log = log.read_text(errors="replace")
    result.update({"label": label, "server_exit": code, "set": args.set or [],
                   "commit": run._git("rev-parse", "--short", "HEAD"),
                   "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
                   "server_log_tail": [line for line in server_log.splitlines()
                                       if "WARNING" in line or "ERROR" in line][-20:],
                   "server_log_errors": sum(1 for line in server_log.splitlines()
                                            if " ERROR " in line or "Traceback" in line),
                   "server_loop_stalls": run._stall_reports(server_log)})
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{time.strftime('%Y%m%d-%H%M%S')}-{label}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "server_loop_stalls"}, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
