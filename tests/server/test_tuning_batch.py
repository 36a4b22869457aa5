"""`batch_writes`: a connection's first frame of a pass of the event loop goes out
at once, the rest of the pass as one write, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from socketio import packet

from server.config import load
from server.keys import SIO
from server.realtime.tuning import DirectManager, FrameBatch, Tuning
from tests.conftest import Server, running, write_config


class FakeTransport:
    def __init__(self, closing: bool = False) -> None:
        self.writes: list[bytes] = []
        self.closing = closing

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing


async def test_first_frame_goes_at_once_and_the_rest_of_the_pass_as_one_write() -> None:
    """A transport's first frame of a pass is written at once (no wait for a tick's
    single `positions`); the rest of the pass are joined, in order, at the next."""
    batch = FrameBatch()
    a, b = FakeTransport(), FakeTransport()
    for frame in (b"1", b"2", b"3"):
        batch.add(a, frame)
    batch.add(b, b"x")
    assert a.writes == [b"1"] and b.writes == [b"x"]
    assert batch.holds(a) and not batch.holds(b)
    await asyncio.sleep(0)
    assert a.writes == [b"1", b"23"] and b.writes == [b"x"]
    assert not batch.holds(a)
    batch.add(a, b"4")
    assert a.writes == [b"1", b"23", b"4"]
    batch.add(a, b"5")
    await asyncio.sleep(0)
    assert a.writes == [b"1", b"23", b"4", b"5"]


async def test_a_closing_transport_is_not_written() -> None:
    """A connection that closed before the flush gets nothing written."""
    batch = FrameBatch()
    gone = FakeTransport()
    batch.add(gone, b"first")
    batch.add(gone, b"late")
    gone.closing = True
    await asyncio.sleep(0)
    assert gone.writes == [b"first"]


def test_batch_writes_is_on_by_default_and_off_in_stock() -> None:
    """The tuned server batches; `--tuning stock` and `batch_writes=false` do not."""
    assert Tuning().batch_writes and not Tuning.stock().batch_writes
    assert not Tuning.from_table({"batch_writes": False}).batch_writes


async def test_many_broadcasts_in_one_pass_arrive_in_order(server: Server) -> None:
    """Broadcasts queued in one pass, mixed with a per-connection emit through
    engineio's queue, reach the client whole and in the order they were sent."""
    sio = server.app[SIO]
    assert isinstance(sio.manager, DirectManager) and sio.manager.batch is not None
    a = await server.connected("Anna")
    await a.welcome()
    sid = next(iter(sio.manager.rooms["/"][f"p:{a.id}"]))
    eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
    texts = [f"n{i} " + "y" * (i * 300) for i in range(12)]
    for i, text in enumerate(texts):
        if i == 6:  # straight onto engineio's queue, without yielding
            pkt = sio.packet_class(packet.EVENT, namespace="/", data=["chat", {"text": text}])
            await sio._send_packet(eio_sid, pkt)
        else:
            await sio.emit("chat", {"text": text}, to=f"p:{a.id}")
    await a.seen.wait_for("chat", lambda m: m["text"] == texts[-1])
    assert [m["text"] for m in a.seen.of("chat")] == texts


async def test_batching_can_be_turned_off(tmp_path: Path) -> None:
    """With `batch_writes = false` frames are written at once, as before."""
    path = write_config(tmp_path, extra="[tuning]\nbatch_writes = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[SIO].manager.batch is None
        a, b = await srv.connected("Anna"), await srv.connected("Bert")
        room = (await a.welcome())["rooms"][1]["id"]
        for p in (a, b):
            assert (await p.call("enter", {"room": room}))["ok"]
        assert (await a.call("say", {"text": "unbatched"}))["ok"]
        await b.seen.wait_for("chat", lambda m: m["text"] == "unbatched")


def _pass_counter() -> tuple[list[int], Any]:
    """A callback that counts passes of the running event loop until stopped."""
    loop = asyncio.get_running_loop()
    passes = [0]
    counting = [True]

    def count_pass() -> None:
        passes[0] += 1
        if counting[0]:
            loop.call_soon(count_pass)

    loop.call_soon(count_pass)
    return passes, lambda: counting.__setitem__(0, False)


async def test_welcomes_arriving_together_are_paced_by_the_budget(server: Server) -> None:
    """With `pace_welcomes` (the default) welcomes go out in arrival order, at most
    `welcome_budget` of them a pass; with a budget of 0, one per pass. Every one
    arrives."""
    namespace = server.app[SIO].namespace_handlers["/"]
    namespace.welcome_budget = 0
    passes, stop = _pass_counter()
    welcomed_in: list[int] = []
    send = namespace._send_welcome

    async def recording(*args: Any) -> None:
        welcomed_in.append(passes[0])
        await send(*args)

    namespace._send_welcome = recording
    people = [await server.join(f"P{i}") for i in range(12)]
    welcomes = await asyncio.gather(*(p.connect() for p in people))
    stop()
    assert [w["me"]["id"] for w in welcomes if w] == [p.id for p in people]
    assert len(welcomed_in) == 12 and len(set(welcomed_in)) == 12


async def test_a_failing_welcome_does_not_stop_the_others(server: Server) -> None:
    """One welcome that fails is logged; the ones waiting behind it still go out."""
    namespace = server.app[SIO].namespace_handlers["/"]
    send = namespace._send_welcome
    first = [True]

    async def failing_once(*args: Any) -> None:
        if first[0]:
            first[0] = False
            raise RuntimeError("boom")
        await send(*args)

    namespace._send_welcome = failing_once
    unlucky, others = await server.join("Unlucky"), [await server.join(f"P{i}") for i in range(3)]
    await unlucky.connect(wait_welcome=False)
    welcomes = await asyncio.gather(*(p.connect() for p in others))
    assert all(welcomes) and not unlucky.seen.of("welcome")


async def test_pacing_welcomes_can_be_turned_off(tmp_path: Path) -> None:
    """With `pace_welcomes = false` each welcome is sent as soon as it is ready."""
    path = write_config(tmp_path, extra="[tuning]\npace_welcomes = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[SIO].namespace_handlers["/"]._welcomes is None
        people = [await srv.join(f"P{i}") for i in range(5)]
        welcomes = await asyncio.gather(*(p.connect() for p in people))
        assert all(w and len(w["people"]) >= 1 for w in welcomes)
