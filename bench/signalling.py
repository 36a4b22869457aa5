"""What each media signalling request costs Kohtaamo (and its Janus).

    .venv/bin/python -m bench.signalling --people 60 --publishers 20

Starts `kohtaamo serve` with the managed Janus as bench/run.py does (its
configuration, pinning and stop), seats `--people` at tables of six, and
sends one kind of media request at a time, from real aiortc peers
(bench/peers.py: real SDP offers and answers, real host candidates):

1. `media:publish` (an offer; Kohtaamo asks Janus, acks the answer);
2. `media:subscribe` by everyone else (Kohtaamo asks Janus for the
   subscription and delivers `media:offer`; the offers are held, not answered);
3. `media:answer` to every held offer (the media starts flowing);
4. `media:candidate`: each peer trickles its SDP's candidates again, then null;
5. `media:update`: each publisher mutes and unmutes `--toggles` times;
6. `media:unsubscribe`, then 7. `media:unpublish`.

Before each window a quiet one of `--quiet` seconds gives the resting rate of
the server and of Janus (media flowing, nobody signalling); a window's CPU
less that rate over its length, over its requests, is the cost per request.
Acks are timed per request (p50/p99). The generator runs in this process,
pinned to `--gen-core`; loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import run
from bench.measure import percentiles, proc_cpu_seconds
from bench.media_measure import janus_pid
from bench.media_sim import MediaSim, SimHost
from bench.sim import WAIT_S

TABLE = 6
_CANDIDATE = re.compile(r"^a=(candidate:.+)$", re.MULTILINE)


class SignalSim(MediaSim):
    """A MediaSim whose offers can be held and answered later, on cue."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.hold = True
        self.held: dict[str, Any] | None = None
        self.offered = asyncio.Event()

    async def _event(self, name: str, data: Any) -> None:
        if name == "media:offer" and self.hold:
            self.gen.stats.count["recv:media:offer"] += 1
            self.offers_at.append(time.perf_counter())
            self.latest_offer = str(data["offer"])
            self.held = data
            self.offered.set()
            return
        await super()._event(name, data)

    async def answer_held(self) -> None:
        assert self.held is not None and self.ears is not None
        offer, self.held = self.held, None
        self.hold = False
        await self._answer(offer)


class SignalGen(SimHost):
    """What Sim and MediaSim need of a generator, and the windows."""

    def __init__(self, args: argparse.Namespace, url: str, server_pid: int) -> None:
        super().__init__(url, run.EVENT)
        self.args = args
        self.server_pid = server_pid
        self.janus: int | None = None

    async def run(self) -> dict[str, Any]:
        sims: list[SignalSim] = []
        return await self.bounded(self._run(sims), 600, lambda: list(sims))

    async def _run(self, sims: list[SignalSim]) -> dict[str, Any]:
        a = self.args
        async with self.http.get(f"{self.url}/api/events/{self.event}") as resp:
            rooms = (await resp.json())["rooms"]
        tables = [r["id"] for r in rooms if r["kind"] == "table"]
        sims += [SignalSim(self, i) for i in range(a.people)]  # type: ignore[arg-type]
        for sim in sims:
            sim.table = tables[sim.index % len(tables)]
        talkers = sims[:a.publishers]
        listeners = sims[a.publishers:]
        r: dict[str, Any] = {"profile": "signalling", "people": a.people,
                             "publishers": len(talkers), "listeners": len(listeners),
                             "tables": len(tables),
                             "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        await self._all(self._arrive, sims)
        r["connected"] = sum(1 for s in sims if s.welcomed.is_set())
        media = sims[0].welcome.get("event", {}).get("media", {})
        if not media.get("enabled"):
            raise SystemExit(f"the server has no media: {media}")
        self.janus = janus_pid(self.server_pid)
        self.stats.measuring = True
        windows: dict[str, Any] = {}

        async def subscribe(sim: SignalSim) -> None:
            await sim.subscribe()
            await asyncio.wait_for(sim.offered.wait(), WAIT_S)

        async def trickle(sim: SignalSim) -> None:
            for peer, pc in ((sim.mouth, "publisher"), (sim.ears, "subscriber")):
                if peer is None:
                    continue
                local = peer.pc.localDescription
                lines = _CANDIDATE.findall(local.sdp if local else "")
                for line in lines:
                    await self._ok(sim, "media:candidate", {
                        "pc": pc, "candidate": {"candidate": line, "sdpMLineIndex": 0}})
                await self._ok(sim, "media:candidate", {"pc": pc, "candidate": None})

        async def toggle(sim: SignalSim) -> None:
            for _ in range(a.toggles):
                for audio in (False, True):
                    await self._ok(sim, "media:update", {"audio": audio})

        steps: list[tuple[str, Any, list[SignalSim]]] = [
            ("media:publish", lambda s: s.publish(), talkers),
            ("media:subscribe", subscribe, listeners),
            ("media:answer", lambda s: s.answer_held(), listeners),
            ("media:candidate", trickle, sims),
            ("media:update", toggle, talkers),
            ("media:unsubscribe", lambda s: self._ok(s, "media:unsubscribe", {}), listeners),
            ("media:unpublish", lambda s: self._ok(s, "media:unpublish", {}), talkers),
        ]
        for name, work, who in steps:
            if name == "media:candidate":  # let the answered connections come up
                await self._until_heard(listeners, talkers)
            windows[name] = await self._window(name, work, who)
        r["windows"] = windows
        r["ack_ms"] = {k: percentiles(v) for k, v in sorted(self.stats.ack_ms.items())}
        r["errors"] = dict(self.stats.errors)
        r["error_count"] = sum(self.stats.errors.values())
        r["disconnects"] = self.stats.disconnects
        r["counts"] = dict(sorted(self.stats.count.items()))
        return r

    async def _ok(self, sim: SignalSim, name: str, data: Any) -> None:
        reply = await sim.call(name, data)
        if not reply.get("ok"):
            self.stats.error(f"{name}:{reply.get('error', {}).get('code')}")

    async def _arrive(self, sim: SignalSim) -> None:
        await sim.join()
        await sim.connect()
        reply = await sim.call("enter", {"room": sim.table})
        if not reply.get("ok"):
            raise RuntimeError(f"enter: {reply.get('error')}")


    def _cpu(self) -> tuple[float, float, float | None]:
        janus = None
        if self.janus is not None:
            try:
                janus = proc_cpu_seconds(self.janus)
            except OSError:
                janus = None
        return time.perf_counter(), proc_cpu_seconds(self.server_pid), janus

    async def _window(self, name: str, work: Any, who: list[SignalSim]) -> dict[str, Any]:
        """A quiet window (the resting rates), then `work` for each of `who`: the CPU
        it added per request of `name`."""
        t0, s0, j0 = self._cpu()
        await asyncio.sleep(self.args.quiet)
        t1, s1, j1 = self._cpu()
        acks0 = len(self.stats.ack_ms.get(name, []))
        await self._all(work, who)
        t2, s2, j2 = self._cpu()
        n = len(self.stats.ack_ms.get(name, [])) - acks0
        quiet = t1 - t0
        out: dict[str, Any] = {
            "requests": n, "seconds": round(t2 - t1, 3),
            "server_rest_pct": round(100 * (s1 - s0) / quiet, 2),
            "server_cpu_s": round(s2 - s1, 4),
            "server_us_per_request": round(
                1e6 * ((s2 - s1) - (s1 - s0) / quiet * (t2 - t1)) / max(1, n), 1),
        }
        if None not in (j0, j1, j2):
            assert j0 is not None and j1 is not None and j2 is not None
            out["janus_rest_pct"] = round(100 * (j1 - j0) / quiet, 2)
            out["janus_cpu_s"] = round(j2 - j1, 4)
            out["janus_us_per_request"] = round(
                1e6 * ((j2 - j1) - (j1 - j0) / quiet * (t2 - t1)) / max(1, n), 1)
        return out

    async def _until_heard(self, listeners: list[SignalSim], talkers: list[SignalSim]) -> None:
        """Wait (bounded) until each listener hears a publisher of its table."""
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        voices = {t.table: set() for t in talkers}  # type: dict[str | None, set[str]]
        for t in talkers:
            voices[t.table].add(t.id)
        while loop.time() < end:
            deaf = [s for s in listeners if s.ears is not None and s.table in voices
                    and s.ears.heard(voices[s.table]) is None]
            if not deaf:
                return
            await asyncio.sleep(0.05)
        self.stats.error("not_heard")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=60)
    ap.add_argument("--publishers", type=int, default=20)
    ap.add_argument("--toggles", type=int, default=5, help="mute/unmute pairs per publisher")
    ap.add_argument("--quiet", type=float, default=2.0, help="seconds of each resting window")
    ap.add_argument("--set", action="append", metavar="KEY=JSON",
                    help="one [tuning] setting, e.g. --set steady_audio=false")
    ap.add_argument("--label", default="")
    ap.add_argument("--server-core", default="0")
    ap.add_argument("--gen-core", default="1")
    ap.add_argument("--nice", type=int, default=0)
    ap.add_argument("--results", type=Path, default=run.RESULTS)
    args = ap.parse_args(argv)
    if args.people > 300 or args.quiet > 30 or args.toggles > 50:
        raise SystemExit("--people is capped at 300, --quiet at 30 s, --toggles at 50")
    if args.gen_core:
        os.sched_setaffinity(0, {int(args.gen_core)})
    label = args.label or f"signalling-{args.people}"
    config_args = argparse.Namespace(
        profile="media", tuning="default", set=args.set or [], tick_hz=10, naive=False,
        table_size=None, no_media=False, tables=math.ceil(args.people / TABLE))
    with tempfile.TemporaryDirectory(prefix="kohtaamo-signalling-") as tmp:
        folder = Path(tmp)
        config, db, log = folder / "config.toml", folder / "bench.db", folder / "server.log"
        config.write_text(run.bench_config(config_args, args.people), encoding="utf-8")
        kohtaamo = str(run.VENV_BIN / "kohtaamo")
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [*run.pin(args.server_core, args.nice), kohtaamo, "serve", "--config",
                 str(config), "--port", "0", "--db", str(db)],
                stdout=log_file, stderr=subprocess.STDOUT)
        try:
            url = run.wait_listening(log, server, 30)
            result = asyncio.run(SignalGen(args, url, server.pid).run())
        finally:
            code = run.stop(server)
            server_log = log.read_text(errors="replace")
    result.update({"label": label, "server_exit": code, "set": args.set or [],
                   "commit": run._git("rev-parse", "--short", "HEAD"),
                   "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
                   "server_log_tail": [line for line in server_log.splitlines()
                                       if "WARNING" in line or "ERROR" in line][-20:]})
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"{time.strftime('%Y%m%d-%H%M%S')}-{label}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
