"""One person of the media profile: a `Sim` whose page publishes, subscribes and
answers each `media:offer` (only the latest), with its two light peers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from bench.measure import Stats, require_loopback
from bench.peers import Ears, Mouth, local_addresses
from bench.sim import WAIT_S, Sim

T = TypeVar("T")

if TYPE_CHECKING:
    from bench.media import MediaGen


class SimHost:
    """What `Sim` and `MediaSim` need of the generator that drives them: the
    server's address, the run's counters, people by id, and the tasks it spawns,
    held until they end (each bounded by WAIT_S, its failure counted)."""

    def __init__(self, url: str, event: str) -> None:
        self.url = url.rstrip("/")
        self.event = event
        self.deflate = True
        self.stats = Stats()
        self.by_id: dict[str, Any] = {}
        self.room_size = (1000, 1000)
        self.mine = local_addresses()
        self.http: aiohttp.ClientSession = None  # type: ignore[assignment]
        self.tasks: set[asyncio.Task[None]] = set()

    def seat(self, sim: Any, room: str) -> None:
        sim.room = room

    def unseat(self, sim: Any) -> None:
        pass

    def spawn(self, work: Any) -> None:
        task = asyncio.create_task(self._guarded(work))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guarded(self, work: Any) -> None:
        try:
            await asyncio.wait_for(work, WAIT_S)
        except Exception as exc:
            self.stats.error(f"{type(exc).__name__}:{str(exc)[:60]}")

    async def _all(self, work: Callable[[Any], Any], sims: list[Any], concurrency: int = 10,
                   per_sim: float = 2.0) -> None:
        """`work(sim)` for every sim, at most `concurrency` at once, each guarded; the
        whole bounded by WAIT_S plus `per_sim` seconds a sim."""
        gate = asyncio.Semaphore(concurrency)

        async def one(sim: Any) -> None:
            async with gate:
                await self._guarded(work(sim))
        await asyncio.wait_for(asyncio.gather(*(one(s) for s in sims)),
                               WAIT_S + len(sims) * per_sim)

    async def bounded(
        self, work: Coroutine[Any, Any, T], seconds: float, sims: Callable[[], list[Sim]],
    ) -> T:
        """Run `work` (the phases) within `seconds` with an HTTP session to the
        loopback server, then cancel what was spawned and close `sims()` and it."""
        require_loopback(self.url)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                          timeout=aiohttp.ClientTimeout(total=WAIT_S))
        try:
            return await asyncio.wait_for(work, seconds)
        finally:
            for task in list(self.tasks):
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await asyncio.wait_for(asyncio.gather(*(s.close() for s in sims()),
                                                  return_exceptions=True), 60)
            await self.http.close()


class MediaSim(Sim):
    """A person whose page answers `media:offer` and keeps its two peers."""

    full_welcome = True

    def __init__(self, gen: MediaGen, index: int, **kw: Any) -> None:
        super().__init__(gen, index, **kw)  # type: ignore[arg-type]
        self.mgen = gen
        self.table: str | None = None
        self.publishes = False
        self.ears: Ears | None = None
        self.mouth: Mouth | None = None
        self.latest_offer = ""
        #: when each media:offer arrived, and when each answer was sent (perf_counter)
        self.offers_at: list[float] = []
        self.answers_at: list[float] = []

    async def call(self, name: str, data: Any, timeout: float = WAIT_S) -> dict[str, Any]:
        """Emit with an ack and wait for it."""
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def on_ack(reply: dict[str, Any]) -> None:
            if not done.done():
                done.set_result(reply)
        await self.emit(name, data, on_ack)
        return await asyncio.wait_for(done, timeout)

    async def _event(self, name: str, data: Any) -> None:
        await super()._event(name, data)
        if name == "media:offer" and self.ears is not None:
            self.offers_at.append(time.perf_counter())
            self.latest_offer = str(data["offer"])
            self.mgen.spawn(self._answer(data))

    async def _answer(self, offer: dict[str, Any]) -> None:
        assert self.ears is not None
        if offer["offer"] != self.latest_offer:
            return  # a newer one came: only the latest may be answered
        sdp = await self.ears.answer(offer["sdp"], offer["streams"], self.mgen.mine)
        if offer["offer"] != self.latest_offer:
            return
        self.answers_at.append(time.perf_counter())
        reply = await self.call("media:answer", {"offer": offer["offer"], "sdp": sdp})
        if not reply.get("ok"):
            self.gen.stats.error(f"answer:{reply.get('error', {}).get('code')}")

    async def publish(self) -> None:
        self.mouth = Mouth()
        reply = await self.call("media:publish", {"sdp": await self.mouth.offer(),
                                                  "audio": True, "video": False})
        if not reply.get("ok"):
            raise RuntimeError(f"publish: {reply.get('error')}")
        await self.mouth.accept(reply["sdp"], self.mgen.mine)

    async def subscribe(self) -> None:
        if self.ears is None:
            self.ears = Ears()
        reply = await self.call("media:subscribe", {})
        if not reply.get("ok"):
            raise RuntimeError(f"subscribe: {reply.get('error')}")

    async def close(self) -> None:
        for peer in (self.mouth, self.ears):
            if peer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(peer.close(), 5)
        await super().close()
