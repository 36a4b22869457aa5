"""The media profile: people at tables and on the stage hearing each other.

Signalling goes through Kohtaamo's front door as the page's does (HTTP join,
Socket.IO msgpack, `enter`, `media:publish` / `media:subscribe`, the server's
`media:offer` answered with `media:answer`); the media comes from the Janus the
benchmarked server started itself. The peers are aiortc's, made light
(bench/peers.py): publishers replay pre-encoded Opus, listeners never decode.

Phases, each bounded in time:

1. everyone joins and connects (the lobby);
2. tables: at each table the first one or two people (alternately) enter,
   publish a tone and subscribe; then, `--rate` a second, everyone else enters
   a table and subscribes. Measured: `enter` → first audio packet from one of
   the table's publishers, per listener;
3. a steady `--hold` at the tables: Janus's and the server's CPU, the bytes
   each forwarded stream brings;
4. the stage: the host publishes in the lobby and calls `recall`; everyone is
   moved there and their subscriber renegotiated. Measured: `recall` → first
   packet of the host's audio per person, and until all hear it;
5. a steady `--hold` on the stage (one speaker to everyone).

`--no-media` runs the same phases without a single media request (and, from
bench/run.py, a server with `[media] enabled = false`): the baseline for the
server's CPU per media request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.measure import percentiles
from bench.media_measure import Lag, Meter, after_offer, answered, offered
from bench.media_sim import MediaSim, SimHost
from bench.sim import WAIT_S

#: The fair: 90 people at 14 tables, one or two publishers a table, a host on stage.
DEFAULTS = {"people": 90, "tables": 14}
#: How long everyone may take to hear, in a phase, before the run gives up on them.
HEAR_S = 60.0
#: UDP ports the managed Janus gets per person (a subscriber and maybe a publisher).
PORTS_PER_PERSON = 3


class MediaGen(SimHost):
    """What Sim needs of a generator, and the media profile's phases."""

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args.url, args.event)
        self.args = args
        self.media = not args.no_media
        self.people: list[MediaSim] = []
        self.host: MediaSim | None = None
        self.lag = Lag()

    def spawn_forever(self, work: Any) -> None:
        """A task that runs until the run ends (cancelled in `run`)."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # --- the run ---------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        return await self.bounded(self._run(), self.args.max_seconds,
                                  lambda: [*self.people, *([self.host] if self.host else [])])

    async def _run(self) -> dict[str, Any]:
        a = self.args
        r: dict[str, Any] = {"profile": "media", "media": self.media,
                             "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        async with self.http.get(f"{self.url}/api/events/{self.event}") as resp:
            rooms = (await resp.json())["rooms"]
        tables = [room["id"] for room in rooms if room["kind"] == "table"][:a.tables]
        lobby = next(room["id"] for room in rooms if room["kind"] == "lobby")
        if len(tables) < a.tables:
            raise SystemExit(f"the event has {len(tables)} tables, {a.tables} asked")
        self.people = [MediaSim(self, i) for i in range(a.people)]
        if a.host_token:
            self.host = MediaSim(self, a.people, token=a.host_token, role="host")
        for sim in self.people:
            sim.table = tables[sim.index % len(tables)]
            # the first at each table publishes, and the second at every other table
            seat, table = divmod(sim.index, len(tables))
            sim.publishes = seat == 0 or (seat == 1 and table % 2 == 0)
        meter = Meter(a.server_pid)
        self.spawn_forever(self.lag.probe())
        # 1. everyone in
        t0 = time.perf_counter()
        await self._all(self._connect, [*self.people, *([self.host] if self.host else [])],
                        a.concurrency)
        r["connect_s"] = round(time.perf_counter() - t0, 2)
        r["connected"] = sum(1 for s in self.people if s.welcomed.is_set())
        if self.host is not None and self.media:
            media = self.host.welcome.get("event", {}).get("media", {})
            if not media.get("enabled"):
                raise SystemExit(f"the server has no media: {media}")
        self.stats.measuring = True  # acks' latency, by request
        meter.start()
        # 2. tables
        talkers = [s for s in self.people if s.publishes]
        listeners = [s for s in self.people if not s.publishes]
        await self._all(self._sit_and_talk, talkers, a.concurrency)
        meter.lap("publishers_in")
        entered: dict[MediaSim, float] = {}
        await self._paced(listeners, a.rate, lambda s: self._sit_and_listen(s, entered))
        voices = {t: {s.id for s in talkers if s.table == t} for t in tables}
        table_ms = await self._wait_heard(
            entered, lambda s: voices[s.table or ""]) if self.media else []
        if self.media:  # the hold measures every stream flowing
            await self._wait_all_flowing(talkers)
        meter.lap("tables_heard")
        r["tables_enter_to_audio_ms"] = percentiles(table_ms)
        r["tables_enter_to_offer_ms"] = percentiles(offered(entered))
        r["tables_offer_to_audio_ms"] = percentiles(after_offer(
            entered, lambda s: voices[s.table or ""]))
        r["tables_offer_to_answer_ms"] = percentiles(answered(entered))
        r["tables_slowest"] = sorted(
            ((round((s.ears.heard(voices[s.table or ""]) or 0) * 1000 - t0 * 1000), s.index)
             for s, t0 in entered.items() if s.ears is not None), reverse=True)[:5]
        r["tables_generator_lag_ms"] = self.lag.take()
        r["tables_heard"] = f"{len(table_ms)}/{len(listeners)}"
        # 3. a steady hold at the tables
        r["tables_hold"] = await self._hold(meter, "tables_hold")
        # 4. the stage: the host speaks and recalls everyone
        stage_ms: list[float] = []
        if self.host is not None:
            if self.media:
                await self.host.publish()
            for sim in self.people:
                if sim.ears is not None:
                    sim.ears.mark()
            t_recall = time.perf_counter()
            reply = await self.host.call("recall", {})
            if not reply.get("ok"):
                self.stats.error(f"recall:{reply.get('error')}")
            if self.media:
                stage_ms = await self._wait_heard({s: t_recall for s in self.people},
                                                  lambda s: {self.host.id} if self.host else set())
            r["stage_recall_to_audio_ms"] = percentiles(stage_ms)
            recalled = {s: t_recall for s in self.people}
            r["stage_recall_to_offer_ms"] = percentiles(offered(recalled))
            r["stage_offer_to_audio_ms"] = percentiles(after_offer(
                recalled, lambda s: {self.host.id} if self.host else set()))
            r["stage_offer_to_answer_ms"] = percentiles(answered(recalled))
            r["stage_generator_lag_ms"] = self.lag.take()
            r["stage_all_heard_s"] = round(max(stage_ms) / 1000, 2) if stage_ms else None
            r["stage_heard"] = f"{len(stage_ms)}/{len(self.people)}"
            meter.lap("stage_heard")
            # 5. a steady hold on the stage
            r["stage_hold"] = await self._hold(meter, "stage_hold")
            # 6. a few walk to their table and come back to the stage by `enter`
            if self.media and a.stage_entries:
                r["stage_enter_to_audio_ms"] = percentiles(
                    await self._stage_entries(lobby, a.stage_entries))
        r.update(meter.figures())
        r["media_requests"] = sum(v for k, v in self.stats.count.items()
                                  if k.startswith("ack_ok:media:"))
        r["ack_ms"] = {k: percentiles(v) for k, v in sorted(self.stats.ack_ms.items())}
        r["errors"] = dict(self.stats.errors)
        r["error_count"] = sum(self.stats.errors.values())
        r["disconnects"] = self.stats.disconnects
        r["counts"] = dict(sorted(self.stats.count.items()))
        r["people"] = a.people
        r["tables"] = len(tables)
        r["publishers"] = len(talkers)
        return r

    async def _connect(self, sim: MediaSim) -> None:
        if sim.token is None:
            await sim.join()
        await sim.connect()

    async def _sit_and_talk(self, sim: MediaSim) -> None:
        reply = await sim.call("enter", {"room": sim.table})
        if not reply.get("ok"):
            raise RuntimeError(f"enter: {reply.get('error')}")
        if self.media:
            await sim.publish()
            await sim.subscribe()

    async def _sit_and_listen(self, sim: MediaSim, entered: dict[MediaSim, float]) -> None:
        entered[sim] = time.perf_counter()
        reply = await sim.call("enter", {"room": sim.table})
        if not reply.get("ok"):
            raise RuntimeError(f"enter: {reply.get('error')}")
        if self.media:
            await sim.subscribe()


    async def _paced(self, sims: list[MediaSim], rate: float,
                     work: Callable[[MediaSim], Any]) -> None:
        """Start `work` for each sim, `rate` a second, and wait for all of them."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        running = []
        for i, sim in enumerate(sims):
            await asyncio.sleep(max(0.0, start + i / rate - loop.time()))
            running.append(asyncio.create_task(self._guarded(work(sim))))
        await asyncio.wait_for(asyncio.gather(*running), WAIT_S * 2)

    async def _wait_heard(self, since: dict[MediaSim, float],
                          voices: Callable[[MediaSim], set[str]]) -> list[float]:
        """Wait (at most HEAR_S) until each sim's ears heard one of its voices; the
        milliseconds from `since` for those that did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HEAR_S
        heard: dict[MediaSim, float] = {}
        while loop.time() < deadline:
            for sim, t0 in since.items():
                if sim not in heard and sim.ears is not None:
                    t = sim.ears.heard(voices(sim))
                    if t is not None:
                        heard[sim] = (t - t0) * 1000
            if len(heard) == len(since):
                break
            await asyncio.sleep(0.05)
        missing = len(since) - len(heard)
        if missing:
            self.stats.error(f"not_heard:{missing}")
        return list(heard.values())

    async def _stage_entries(self, lobby: str, count: int) -> list[float]:
        """`count` people, `--rate` a second, go to their table, stop hearing the host
        there, and `enter` the lobby again: `enter` → the host's first packet."""
        assert self.host is not None
        host = self.host.id
        walkers = self.people[::max(1, len(self.people) // count)][:count]
        since: dict[MediaSim, float] = {}

        async def walk(sim: MediaSim) -> None:
            reply = await sim.call("enter", {"room": sim.table})
            if not reply.get("ok"):
                raise RuntimeError(f"enter: {reply.get('error')}")
            await self._until_quiet(sim, host)
            assert sim.ears is not None
            sim.ears.mark()
            since[sim] = time.perf_counter()
            reply = await sim.call("enter", {"room": lobby})
            if not reply.get("ok"):
                raise RuntimeError(f"enter: {reply.get('error')}")

        await self._paced(walkers, self.args.rate, walk)
        return await self._wait_heard(since, lambda s: {host})

    async def _until_quiet(self, sim: MediaSim, person: str, quiet: float = 0.3,
                           limit: float = 5.0) -> None:
        """Wait until no packet of `person` reached `sim` for `quiet` seconds."""
        ears = sim.ears
        assert ears is not None

        def count() -> int:
            return sum(n for ssrc, n in ears.packets.items() if ears.person_of.get(ssrc) == person)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        last, still = count(), loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            now = count()
            if now != last:
                last, still = now, loop.time()
            elif loop.time() - still >= quiet:
                return
        self.stats.error("still_hearing")

    async def _wait_all_flowing(self, talkers: list[MediaSim]) -> None:
        """Wait (at most HEAR_S) until everyone hears each publisher at their table."""
        def missing() -> int:
            return sum(1 for sim in self.people for t in talkers
                       if sim.ears is not None and t is not sim and t.table == sim.table
                       and sim.ears.heard({t.id}) is None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HEAR_S
        while missing() and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if missing():
            self.stats.error(f"streams_not_flowing:{missing()}")

    async def _hold(self, meter: Meter, name: str) -> dict[str, Any]:
        """A steady window: CPU of the server, Janus and the generator, and what each
        forwarded stream brought the listeners."""
        ears = [s.ears for s in [*self.people, *([self.host] if self.host else [])]
                if s.ears is not None]
        before = [(dict(e.bytes), dict(e.packets), e.transport_bytes()) for e in ears]
        meter.lap(name + "_start")
        await asyncio.sleep(self.args.hold)
        meter.lap(name)
        window = meter.last_window()
        streams = 0
        rtp_bytes = packets = datagram_bytes = datagrams = 0
        for e, (b0, p0, (tb0, tp0)) in zip(ears, before, strict=True):
            for ssrc, n in e.packets.items():
                if n - p0.get(ssrc, 0) >= self.args.hold * 25:  # flowed (at least half the time)
                    streams += 1
                    rtp_bytes += e.bytes[ssrc] - b0.get(ssrc, 0)
                    packets += n - p0.get(ssrc, 0)
            tb1, tp1 = e.transport_bytes()
            datagram_bytes += tb1 - tb0
            datagrams += tp1 - tp0
        seconds = window["seconds"]
        out: dict[str, Any] = {"streams": streams, **window}
        if streams:
            out["rtp_kbit_s_per_stream"] = round(rtp_bytes * 8 / seconds / streams / 1000, 1)
            out["packets_s_per_stream"] = round(packets / seconds / streams, 1)
            # what the wire carries: datagrams with their IPv4 and UDP headers
            out["wire_kbit_s_per_stream"] = round(
                (datagram_bytes + 28 * datagrams) * 8 / seconds / streams / 1000, 1)
            if window.get("janus_cpu") is not None:
                out["janus_cpu_pct_per_stream"] = round(100 * window["janus_cpu"] / streams, 3)
        peers = sum(1 for s in self.people if s.ears) + sum(1 for s in self.people if s.mouth)
        if peers:
            out["generator_cpu_pct_per_peer"] = round(100 * window["generator_cpu"] / peers, 3)
        return out


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="server base URL (loopback only)")
    ap.add_argument("--event", required=True)
    ap.add_argument("--people", type=int, default=DEFAULTS["people"])
    ap.add_argument("--tables", type=int, default=DEFAULTS["tables"])
    ap.add_argument("--rate", type=float, default=10.0, help="listeners entering a second")
    ap.add_argument("--hold", type=float, default=10.0, help="seconds of each steady window")
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--stage-entries", dest="stage_entries", type=int, default=10,
                    help="people who leave the stage and `enter` it again, measured")
    ap.add_argument("--host-token", help="a host's token: the stage and the recall")
    ap.add_argument("--server-pid", type=int, default=0)
    ap.add_argument("--no-media", action="store_true", help="the same run, no media requests")
    ap.add_argument("--max-seconds", dest="max_seconds", type=float, default=600.0)
    ap.add_argument("--out")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.hold > 120 or args.max_seconds > 900:
        raise SystemExit("--hold is capped at 120 s and --max-seconds at 900 s")
    result = asyncio.run(MediaGen(args).run())
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
