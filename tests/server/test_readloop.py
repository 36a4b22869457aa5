"""The read loop of our own (server/realtime/readloop.py, `[tuning] own_read_loop`): Engine.IO's
semantics on a real engineio server and real aiohttp WebSockets, and the app using it."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from server.keys import SIO
from server.realtime.guard import EngineServer, SlowReaders
from server.realtime.readloop import SendQueue
from server.realtime.tuning import PlainWebSocket
from tests.conftest import Server


@dataclass
class Engine:
    eio: EngineServer
    url: str
    http: aiohttp.ClientSession
    messages: list[tuple[str, Any]] = field(default_factory=list)
    gone: dict[str, str] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def until(self, predicate: Any, timeout: float = 5) -> None:
        """Wait for `predicate`, woken by each message or disconnect, and every 20 ms."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.02)

    async def open(self) -> aiohttp.ClientWebSocketResponse:
        ws = await self.http.ws_connect(self.url, max_msg_size=0)
        opened = await ws.receive(timeout=5)
        assert opened.type == aiohttp.WSMsgType.TEXT and opened.data.startswith("0{")
        return ws


@contextlib.asynccontextmanager
async def engine(own_read_loop: bool = True, **options: Any) -> AsyncIterator[Engine]:
    """A bare engineio server as the app builds it (EngineServer, our WebSocket factory),
    with a handler that records each message after yielding once (so order is the loop's,
    not luck) and each disconnect's reason."""
    options = {"ping_interval": 5, "ping_timeout": 5, "max_http_buffer_size": 1000,
               **options}
    eio = EngineServer(async_mode="aiohttp", transports=["websocket"],
                       monitor_clients=not own_read_loop, **options)
    eio.own_read_loop = own_read_loop
    eio.slow_readers = SlowReaders(1 << 20)
    eio._async = {**eio._async, "websocket": PlainWebSocket}
    app = web.Application()
    eio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        box = Engine(eio, f"ws://127.0.0.1:{port}/engine.io/?EIO=4&transport=websocket", http)

        @eio.on("message")  # type: ignore[misc]
        async def message(sid: str, data: Any) -> None:
            await asyncio.sleep(0)
            box.messages.append((sid, data))
            box.changed.set()

        @eio.on("disconnect")  # type: ignore[misc]
        async def disconnect(sid: str, reason: str) -> None:
            box.gone[sid] = reason
            box.changed.set()

        try:
            yield box
        finally:
            await runner.cleanup()


async def test_frames_are_handled_in_order() -> None:
    """Binary and text messages reach the handler one after the other, in the order sent."""
    async with engine() as e:
        ws = await e.open()
        sent: list[Any] = []
        for i in range(300):
            if i % 3:
                await ws.send_bytes(b"%d" % i)
                sent.append(b"%d" % i)
            else:
                await ws.send_str(f"4m{i}")
                sent.append(f"m{i}")
        await ws.send_str("b" + base64.b64encode(b"last").decode())
        sent.append(b"last")
        await e.until(lambda: len(e.messages) == len(sent))
        assert [data for _, data in e.messages] == sent
        (sock,) = e.eio.sockets.values()
        assert isinstance(sock.queue, SendQueue)
        await ws.send_str("1")  # Engine.IO CLOSE
        msg = await ws.receive(timeout=5)  # the client answers the server's close
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await e.until(lambda: e.gone and not e.eio.sockets)
        assert list(e.gone.values()) == ["client disconnect"]
        other = await e.open()
        await other.close()  # a WebSocket closed without Engine.IO's CLOSE
        await e.until(lambda: len(e.gone) == 2 and not e.eio.sockets)
        assert sorted(e.gone.values()) == ["client disconnect", "transport close"]


async def test_no_task_waits_per_idle_connection() -> None:
    """An idle connection has aiohttp's tasks only: no writer, no ping sleeper, no read
    task (engineio's loop keeps all three per connection)."""
    for own in (True, False):
        async with engine(own_read_loop=own) as e:
            before = asyncio.all_tasks()
            sockets = [await e.open() for _ in range(5)]
            await e.until(lambda: len(e.eio.sockets) == 5)
            names = sorted(t.get_coro().__qualname__  # type: ignore[union-attr]
                           for t in asyncio.all_tasks() - before)
            aiohttp_own = ["RequestHandler._handle_request", "RequestHandler.start"] * 5
            if own:
                assert names == sorted(aiohttp_own)
            else:
                assert len(names) >= len(aiohttp_own) + 15, names  # 3+ a connection
            for ws in sockets:
                await ws.close()


async def test_pings_answered_keep_the_connection_open() -> None:
    """The server pings every ping_interval; a client that answers stays connected."""
    async with engine(ping_interval=0.1, ping_timeout=0.5) as e:
        ws = await e.open()
        for _ in range(5):
            msg = await ws.receive(timeout=5)
            assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "2")
            await ws.send_str("3")
        await ws.send_bytes(b"still here")
        await e.until(lambda: e.messages)
        assert not e.gone
        await ws.close()


async def test_a_client_that_stops_answering_pings_is_closed() -> None:
    """No PONG within ping_timeout after a PING: CLOSE, the WebSocket closed, and the
    socket gone with `ping timeout`."""
    async with engine(ping_interval=0.1, ping_timeout=0.3) as e:
        ws = await e.open()
        msg = await ws.receive(timeout=5)
        assert msg.data == "2"
        msg = await ws.receive(timeout=5)
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "1")
        await ws.send_str("3")  # too late: the PONG revives nothing
        msg = await ws.receive(timeout=5)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await e.until(lambda: e.gone and not e.eio.sockets)
        assert list(e.gone.values()) == ["ping timeout"]


async def test_a_peer_that_reads_nothing_more_is_cut_off() -> None:
    """A peer that neither answers PING nor the server's close is cut off ping_timeout after
    the timeout (aiohttp alone would wait 10 s for its close frame)."""
    async with engine(ping_interval=0.1, ping_timeout=0.3) as e:
        ws = await e.open()  # and never read again
        await e.until(lambda: e.gone and not e.eio.sockets)
        assert list(e.gone.values()) == ["ping timeout"]
        await ws.close()


async def test_a_frame_over_max_size_closes_that_connection_only() -> None:
    """A message over max_http_buffer_size ends its connection (1009, `transport close`);
    the others carry on."""
    async with engine() as e:
        big, small = await e.open(), await e.open()
        await big.send_bytes(b"x" * 2000)
        msg = await big.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1009
        await e.until(lambda: len(e.gone) == 1)
        assert list(e.gone.values()) == ["transport close"]
        await small.send_bytes(b"fine")
        await e.until(lambda: e.messages)
        assert [d for _, d in e.messages] == [b"fine"] and len(e.eio.sockets) == 1
        text = await e.open()
        await text.send_str("4" + "x" * 2000)
        msg = await text.receive(timeout=5)
        assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1009
        await e.until(lambda: len(e.gone) == 2 and len(e.eio.sockets) == 1)
        await small.close()


async def test_malformed_engineio_packets() -> None:
    """Unknown packet types and a client PING are ignored as engineio ignores them; text
    that is not an Engine.IO packet at all closes the connection (engineio's loop dies)."""
    async with engine() as e:
        ws = await e.open()
        for ignored in ("7", "6", "2", "9x"):
            await ws.send_str(ignored)
        await ws.send_str("4after")
        await e.until(lambda: e.messages)
        assert [d for _, d in e.messages] == ["after"] and not e.gone
        await ws.send_str("x")
        msg = await ws.receive(timeout=5)  # the client answers the server's close
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await e.until(lambda: e.gone and not e.eio.sockets)
        assert list(e.gone.values()) == ["transport close"]


async def test_a_disconnect_mid_frame_ends_the_session() -> None:
    """A peer that vanishes half-way through a frame is gone with `transport close`, and
    nothing of the half frame is handled."""
    async with engine() as e:
        host, port = e.url.split("//")[1].split("/")[0].split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                      f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101")
        await e.until(lambda: len(e.eio.sockets) == 1)
        # a masked binary frame announcing 100 bytes, of which 10 arrive
        writer.write(b"\x82\xe4" + b"\0\0\0\0" + b"y" * 10)
        await writer.drain()
        writer.close()
        await e.until(lambda: e.gone and not e.eio.sockets)
        assert list(e.gone.values()) == ["transport close"] and not e.messages


async def test_what_the_server_sends_arrives_in_order_and_close_follows_it() -> None:
    """Packets queued faster than they are written go out in order by the on-demand writer;
    None in the queue closes the WebSocket after them."""
    async with engine() as e:
        ws = await e.open()
        await e.until(lambda: len(e.eio.sockets) == 1)
        (sid,) = e.eio.sockets
        for i in range(200):
            await e.eio.send(sid, b"%d" % i)
        e.eio.sockets[sid].queue.put_nowait(None)
        got = []
        while (msg := await ws.receive(timeout=5)).type == aiohttp.WSMsgType.BINARY:
            got.append(msg.data)
        assert got == [b"%d" % i for i in range(200)]
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await e.until(lambda: e.gone and not e.eio.sockets)


async def test_a_server_disconnect_sends_close() -> None:
    """engineio's disconnect(sid) (what `end_connection` does under Socket.IO) still sends
    CLOSE and waits for the queue to drain."""
    async with engine() as e:
        ws = await e.open()
        await e.until(lambda: len(e.eio.sockets) == 1)
        (sid,) = e.eio.sockets
        await asyncio.wait_for(e.eio.disconnect(sid), 5)
        msg = await ws.receive(timeout=5)
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "1")
        assert list(e.gone.values()) == ["server disconnect"]
        await ws.close()


async def test_the_app_serves_socketio_on_its_own_read_loop(server: Server) -> None:
    """The app's connections have our send queue and no engineio writer task; moves and
    requests work as before."""
    sio = server.app[SIO]
    assert sio.eio.own_read_loop and not sio.eio.start_service_task
    a, b = await server.connected("Anna"), await server.connected("Bert")
    assert all(isinstance(s.queue, SendQueue) for s in sio.eio.sockets.values())
    names = [getattr(t.get_coro(), "__qualname__", "") for t in asyncio.all_tasks()]
    assert not [n for n in names if "writer" in n or "_send_ping" in n]
    # slim_environ: the dict python-socketio keeps per connection holds the request only
    for environ in sio.environ.values():
        assert set(environ) == {"aiohttp.request", "REQUEST_METHOD", "PATH_INFO", "QUERY_STRING"}
    room = (await a.welcome())["rooms"][1]["id"]
    for p in (a, b):
        assert (await p.call("enter", {"room": room}))["ok"]
    await a.emit("move", {"x": 11, "y": 22})
    await b.seen.wait_for("positions", lambda d: [a.id, 11, 22] in d["p"])
    assert (await a.call("say", {"text": "hei"}))["ok"]
    await b.seen.wait_for("chat", lambda m: m["text"] == "hei")


@pytest.mark.parametrize("own", [True, False])
async def test_send_queue_counts_what_it_holds(own: bool) -> None:
    """The queue either way counts bytes for the slow-reader cap and unfinished work for
    the direct writer."""
    async with engine(own_read_loop=own) as e:
        q = e.eio.create_queue()
        assert isinstance(q, SendQueue) == own

        class Item:
            data = b"12345"

        q.put_nowait(Item())
        assert q.bytes == 5 and q._unfinished_tasks == 1
        q.get_nowait()
        q.task_done()
        assert q.bytes == 0 and q._unfinished_tasks == 0
        await asyncio.wait_for(q.join(), 1)
