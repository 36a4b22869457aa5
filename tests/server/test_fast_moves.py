"""`[tuning] fast_moves`: a `move` frame handed to the floor from the read loop
(`SocketServer.fast_move`), past python-socketio's packet object and dispatch;
every other frame takes the usual path, unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgpack

from server.config import load
from server.keys import SIO
from tests.conftest import running, write_config


def frame(**packet: Any) -> bytes:
    return msgpack.packb(packet)


async def test_a_move_takes_the_shortcut_and_other_requests_do_not(tmp_path: Path) -> None:
    """A move arrives through the shortcut and reaches the table in `positions`; a
    `say` is passed on to python-socketio and answered as before."""
    async with running(load(write_config(tmp_path), database=tmp_path / "k.db")) as srv:
        sio = srv.app[SIO]
        taken: list[bool] = []
        fast = sio.eio.fast_frame
        assert fast is not None

        async def recording(eio_sid: str, data: bytes) -> bool:
            taken.append(await fast(eio_sid, data))
            return taken[-1]

        sio.eio.fast_frame = recording
        a, b = await srv.connected("Anna"), await srv.connected("Bert")
        room = (await a.welcome())["rooms"][1]["id"]
        for p in (a, b):
            assert (await p.call("enter", {"room": room}))["ok"]
        taken.clear()
        await a.emit("move", {"x": 11, "y": 22})
        await b.seen.wait_for("positions", lambda d: [a.id, 11, 22] in d["p"])
        assert taken == [True]
        assert (await a.call("say", {"text": "still answers"}))["ok"]
        assert taken == [True, False]
        assert sio.requests.counts[("move", "received")] >= 1


async def test_frames_that_are_not_plain_moves_are_passed_on(tmp_path: Path) -> None:
    """A move asking for an ack, to another namespace, undecodable, or any other
    event is not taken (False), so python-socketio answers it as it always did."""
    async with running(load(write_config(tmp_path), database=tmp_path / "k.db")) as srv:
        sio = srv.app[SIO]
        anna = await srv.connected("Anna")
        await anna.welcome()
        (eio_sid,) = sio.eio.sockets
        move = {"type": 2, "data": ["move", {"x": 1, "y": 2}], "nsp": "/"}
        assert await sio.fast_move(eio_sid, frame(**move))
        for other in ({**move, "id": 7}, {**move, "nsp": "/other"},
                      {**move, "data": ["say", {"text": "move"}]}, {**move, "type": 3}):
            assert not await sio.fast_move(eio_sid, frame(**other)), other
        assert not await sio.fast_move(eio_sid, b"\x83\xa4type\x02\xa4data\x92\xa4move\xc1")
        assert not await sio.fast_move("not-a-connection", frame(**move))


async def test_without_fast_moves_moves_take_the_usual_path(tmp_path: Path) -> None:
    """`fast_moves = false` leaves the read loop without the shortcut; moves still
    reach the table."""
    path = write_config(tmp_path, extra="\n[tuning]\nfast_moves = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[SIO].eio.fast_frame is None
        a, b = await srv.connected("Anna"), await srv.connected("Bert")
        room = (await a.welcome())["rooms"][1]["id"]
        for p in (a, b):
            assert (await p.call("enter", {"room": room}))["ok"]
        await a.emit("move", {"x": 33, "y": 44})
        await b.seen.wait_for("positions", lambda d: [a.id, 33, 44] in d["p"])
