"""The performance seams of server/realtime/tuning.py, pinned against the installed libraries,
and the benchmark-only naive variant of moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from engineio.async_drivers import aiohttp as eio_aiohttp

from server.config import ConfigError, load
from server.keys import SIO, TICK
from server.realtime.tuning import DirectManager, PlainWebSocket, Tuning
from tests.conftest import Server, running, write_config


async def ws_handshake(server: Server) -> aiohttp.ClientWebSocketResponse:
    url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    return await server.http.ws_connect(url, compress=15)  # as browsers offer it


def test_engineio_driver_is_what_we_subclass() -> None:
    """engineio's aiohttp driver still builds WebSockets from the class we extend."""
    assert eio_aiohttp._async["websocket"] is eio_aiohttp.WebSocket
    assert issubclass(PlainWebSocket, eio_aiohttp.WebSocket)


async def test_permessage_deflate_is_refused_by_default(server: Server) -> None:
    """A browser-like offer of permessage-deflate is answered without the extension."""
    sio = server.app[SIO]
    assert sio.eio._async["websocket"] is PlainWebSocket
    assert eio_aiohttp._async["websocket"] is eio_aiohttp.WebSocket  # shared table untouched
    ws = await ws_handshake(server)
    try:
        assert ws.compress == 0
        msg = await ws.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.TEXT and msg.data.startswith("0{")
    finally:
        await ws.close()


async def test_permessage_deflate_can_be_turned_back_on(tmp_path: Path) -> None:
    """`[tuning] ws_compression = true` restores the libraries' default."""
    path = write_config(tmp_path, extra="\n[tuning]\nws_compression = true\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        ws = await ws_handshake(srv)
        try:
            assert ws.compress == 15
        finally:
            await ws.close()


async def test_room_broadcasts_use_the_direct_manager(server: Server) -> None:
    """Chat to a table reaches every member through the one-pass manager."""
    assert isinstance(server.app[SIO].manager, DirectManager)
    a, b = await server.connected("Anna"), await server.connected("Bert")
    room = (await a.welcome())["rooms"][1]["id"]
    for p in (a, b):
        assert (await p.call("enter", {"room": room}))["ok"]
    assert (await a.call("say", {"text": "hei"}))["ok"]
    for p in (a, b):
        await p.seen.wait_for("chat", lambda m: m["text"] == "hei")


def test_unknown_tuning_is_a_config_error(tmp_path: Path) -> None:
    """A misspelt [tuning] key stops start-up instead of being ignored."""
    path = write_config(tmp_path, extra="\n[tuning]\nws_compresion = false\n")
    with pytest.raises(ConfigError):
        load(path)


@pytest.mark.parametrize("setting", [
    "welcome_budget_ms = true", "welcome_budget_ms = -1", "welcome_budget_ms = 2.5",
    'welcome_budget_ms = "10"', "welcome_budget_ms = 100000",
    "tick_parts = 0", "tick_parts = 21", "tick_parts = false", "tick_parts = 1.5",
])
def test_numeric_tuning_must_be_a_sensible_whole_number(tmp_path: Path, setting: str) -> None:
    """`welcome_budget_ms` (0 to 1000) and `tick_parts` (1 to 20) take whole numbers only."""
    path = write_config(tmp_path, extra=f"\n[tuning]\n{setting}\n")
    with pytest.raises(ConfigError):
        load(path)
    assert Tuning.from_table({"welcome_budget_ms": 0}).welcome_budget_ms == 0
    assert Tuning.from_table({"tick_parts": 1}).tick_parts == 1


def test_stock_tuning_is_the_libraries_defaults() -> None:
    """`Tuning.stock()` turns every knob back to what python-socketio does by itself."""
    stock = Tuning.stock()
    assert stock.ws_compression and not stock.direct_emit and stock.async_handlers
    assert not stock.direct_write and not stock.inline_moves
    assert not stock.gc_freeze and stock.gc_threshold == ()
    assert not stock.batch_writes and not stock.pace_welcomes and stock.tick_parts == 1
    assert not stock.own_read_loop and not stock.slim_environ
    assert not stock.welcome_cache


async def test_naive_moves_broadcast_each_move_at_once(tmp_path: Path) -> None:
    """With the benchmark-only `naive_moves`, every move is its own one-point `positions`."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8").replace("[server]\n", "[server]\nnaive_moves = true\n")
    path.write_text(text, encoding="utf-8")
    config = load(path, database=tmp_path / "k.db")
    assert config.naive_moves
    async with running(config) as srv:
        a, b = await srv.connected("Anna"), await srv.connected("Bert")
        room = (await a.welcome())["rooms"][1]["id"]
        for p in (a, b):
            assert (await p.call("enter", {"room": room}))["ok"]
        await a.emit("move", {"x": 10, "y": 20})
        await a.emit("move", {"x": 30, "y": 40})
        first = await b.seen.wait_for("positions", lambda d: [a.id, 10, 20] in d["p"])
        second = await b.seen.wait_for("positions", lambda d: [a.id, 30, 40] in d["p"])
        assert first["p"] == [[a.id, 10, 20]] and second["p"] == [[a.id, 30, 40]]


def test_binary_frames_have_rfc6455_headers() -> None:
    """Short, 16-bit and 64-bit payload lengths are framed as RFC 6455 says."""
    from server.realtime.tuning import binary_frame

    assert binary_frame(b"x" * 125)[:2] == bytes((0x82, 125))
    assert binary_frame(b"x" * 126)[:4] == bytes((0x82, 126, 0, 126))
    assert binary_frame(b"x" * 70000)[:10] == bytes((0x82, 127)) + (70000).to_bytes(8, "big")
    assert binary_frame(b"abc")[2:] == b"abc"


def test_asyncio_queue_still_counts_unfinished_work() -> None:
    """DirectManager reads asyncio.Queue._unfinished_tasks to know engineio's writer is idle."""
    import asyncio

    q: asyncio.Queue[int] = asyncio.Queue()
    assert q._unfinished_tasks == 0  # type: ignore[attr-defined]
    q.put_nowait(1)
    q.get_nowait()
    assert q._unfinished_tasks == 1  # type: ignore[attr-defined]
    q.task_done()
    assert q._unfinished_tasks == 0  # type: ignore[attr-defined]


async def test_connections_are_known_to_the_direct_writer(server: Server) -> None:
    """Each websocket's aiohttp response is reachable from engineio's socket, and large
    broadcasts (a welcome, many chats) arrive whole and in order."""
    a = await server.connected("Anna")
    socks = list(server.app[SIO].eio.sockets.values())
    assert socks and all(getattr(s, "kohtaamo_ws", None) is not None for s in socks)
    b = await server.connected("Bert")
    room = (await a.welcome())["rooms"][1]["id"]
    for p in (a, b):
        assert (await p.call("enter", {"room": room}))["ok"]
    texts = [f"{i} " + "x" * (200 * i) for i in range(1, 6)]
    for text in texts:
        assert (await a.call("say", {"text": text[:1000]}))["ok"]
    await b.seen.wait_for("chat", lambda m: m["text"] == texts[-1][:1000])
    assert [m["text"] for m in b.seen.of("chat")] == [t[:1000] for t in texts]


def test_socketio_still_routes_events_through_handle_event() -> None:
    """python-socketio still calls _handle_event(eio_sid, namespace, id, data), where
    `inline_moves` takes the move off the per-event task."""
    import inspect

    from server.realtime.namespace import SocketServer

    base = inspect.signature(SocketServer.__mro__[1]._handle_event)
    assert list(base.parameters) == ["self", "eio_sid", "namespace", "id", "data"]


async def test_inline_moves_still_reach_the_table(tmp_path: Path) -> None:
    """With `inline_moves`, moves are handled on the read loop and still coalesced per tick."""
    path = write_config(tmp_path)  # inline_moves is the default
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[SIO].inline_moves
        a, b = await srv.connected("Anna"), await srv.connected("Bert")
        room = (await a.welcome())["rooms"][1]["id"]
        for p in (a, b):
            assert (await p.call("enter", {"room": room}))["ok"]
        await a.emit("move", {"x": 11, "y": 22})
        await b.seen.wait_for("positions", lambda d: [a.id, 11, 22] in d["p"])
        assert (await a.call("say", {"text": "still answers"}))["ok"]


async def _queued_packets_while_asking(srv: Server) -> tuple[list[Any], dict[str, Any]]:
    """Packets that took engineio's queue while a person entered a table (its ack)."""
    a = await srv.connected("Anna")
    room = (await a.welcome())["rooms"][1]["id"]
    (sock,) = srv.app[SIO].eio.sockets.values()
    queued: list[Any] = []
    send = sock.send

    async def recording(pkt: Any) -> None:
        queued.append(pkt)
        await send(pkt)

    sock.send = recording
    reply = await a.call("enter", {"room": room})
    return queued, reply


async def test_acks_are_written_directly(server: Server) -> None:
    """An ack to an idle connection skips engineio's queue (whose writer would keep
    the last packet it sent alive) and still arrives whole."""
    queued, reply = await _queued_packets_while_asking(server)
    assert reply["ok"] and "room" in reply
    assert queued == []


async def test_acks_take_the_queue_without_direct_write(tmp_path: Path) -> None:
    """With `direct_write = false` acks go through engineio's queue, as in the library."""
    path = write_config(tmp_path, extra="\n[tuning]\ndirect_write = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        queued, reply = await _queued_packets_while_asking(srv)
        assert reply["ok"] and len(queued) == 1


@pytest.mark.parametrize("parts", [1, 4])
async def test_split_or_whole_ticks_deliver_every_table(tmp_path: Path, parts: int) -> None:
    """Whole ticks (`tick_parts = 1`) and split ones both bring each table its moves,
    and the tick loop says how it runs."""
    path = write_config(tmp_path, extra=f"\n[tuning]\ntick_parts = {parts}\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[TICK].parts == parts
        people = [await srv.connected(n) for n in ("Anna", "Bert", "Cai", "Dina")]
        rooms = [r["id"] for r in (await people[0].welcome())["rooms"][1:3]]
        for person, room in zip(people, [rooms[0], rooms[0], rooms[1], rooms[1]], strict=True):
            assert (await person.call("enter", {"room": room}))["ok"]
        await people[0].emit("move", {"x": 11, "y": 22})
        await people[2].emit("move", {"x": 33, "y": 44})
        await people[1].seen.wait_for("positions", lambda d: [people[0].id, 11, 22] in d["p"])
        await people[3].seen.wait_for("positions", lambda d: [people[2].id, 33, 44] in d["p"])


def _membership(manager: Any) -> tuple[Any, ...]:
    rooms = {ns: {room: dict(members) for room, members in table.items()}
             for ns, table in manager.rooms.items()}
    return rooms, manager.callbacks, manager.pending_connect, manager.pending_disconnect


def test_direct_manager_keeps_the_stock_managers_room_state() -> None:
    """The per-client room index changes nothing the stock manager would hold: the
    same joins, leaves, closes and disconnects leave the same state behind."""
    import random

    from socketio.async_manager import AsyncManager

    stock, ours = AsyncManager(), DirectManager()
    rng = random.Random(7)
    sids = [f"s{i}" for i in range(30)]
    rooms = ["lobby", "t1", "t2", "event"]
    for manager in (stock, ours):
        for i, sid in enumerate(sids):  # what pre_connect does
            manager.basic_enter_room(sid, "/", None, eio_sid=f"e{i}")
            manager.basic_enter_room(sid, "/", sid, eio_sid=f"e{i}")
        manager.callbacks.update({sid: {} for sid in sids[:5]})
        manager.pending_connect["/"] = set(sids[5:8])
        manager.pending_disconnect["/"] = set(sids[8:9])
    steps = [(rng.choice(["enter", "enter", "leave", "disconnect", "close"]), rng.choice(sids),
              rng.choice(rooms)) for _ in range(300)]
    for op, sid, room in steps:
        for manager in (stock, ours):
            if op == "enter" and sid in manager.rooms.get("/", {}).get(None, {}):
                manager.basic_enter_room(sid, "/", room)
            elif op == "leave":
                manager.basic_leave_room(sid, "/", room)
            elif op == "disconnect":
                manager.basic_disconnect(sid, "/")
            elif op == "close":
                manager.basic_close_room(room, "/")
        assert _membership(ours) == _membership(stock), (op, sid, room)
        assert sorted(ours.get_rooms(sid, "/"), key=str) == sorted(stock.get_rooms(sid, "/"),
                                                                   key=str)
