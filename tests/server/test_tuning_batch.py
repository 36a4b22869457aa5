"""`batch_writes`: a connection's frames from one pass of the event loop go out as
one write, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from socketio import packet

from server.config import load
from server.keys import SIO
from server.tuning import DirectManager, FrameBatch, Tuning
from tests.conftest import Server, running, write_config


class FakeTransport:
    def __init__(self, closing: bool = False) -> None:
        self.writes: list[bytes] = []
        self.closing = closing

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closing


async def test_frames_of_one_pass_are_one_write_in_order() -> None:
    """Frames added in one pass are joined per transport and written at the next."""
    batch = FrameBatch()
    a, b = FakeTransport(), FakeTransport()
    for frame in (b"1", b"2", b"3"):
        batch.add(a, frame)
    batch.add(b, b"x")
    assert batch.holds(a) and a.writes == []
    await asyncio.sleep(0)
    assert a.writes == [b"123"] and b.writes == [b"x"]
    assert not batch.holds(a)
    batch.add(a, b"4")
    await asyncio.sleep(0)
    assert a.writes == [b"123", b"4"]


async def test_a_closing_transport_is_not_written() -> None:
    """A connection that closed before the flush gets nothing written."""
    batch = FrameBatch()
    gone = FakeTransport(closing=True)
    batch.add(gone, b"late")
    await asyncio.sleep(0)
    assert gone.writes == []


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
