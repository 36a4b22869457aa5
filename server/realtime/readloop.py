"""A read loop of our own for Engine.IO over aiohttp's WebSocket (`[tuning] own_read_loop`).

engineio's `AsyncSocket._websocket_handler` starts, for every frame received, a
task and a `wait_for` around the read; keeps a writer task waiting in
`wait_for(queue.get())` for the connection's lifetime; and a task sleeping
until the next ping. Here one coroutine per connection (aiohttp's own handler
task, no other) reads frames with `ws.receive()` and dispatches them in order;
the heartbeat is one timer handle per connection, rescheduled on each PING and
PONG; a writer task exists only while something waits in the send queue, and
the queue (`SendQueue`) is a list, not an `asyncio.Queue` of four deques.

Engine.IO's semantics are kept: PING every `ping_interval`, closed for
`ping timeout` with a CLOSE packet when no PONG comes within `ping_timeout`;
a frame over `max_http_buffer_size` ends that connection (aiohttp closes it
with 1009); a client CLOSE ends it as `client disconnect`; unknown packet
types are ignored and undecodable text closes the connection (engineio's loop
dies with an exception there); the loop ending closes the socket with
`transport close`. Upgrades from polling are engineio's own path still.

The library internals it relies on are listed in docs/seams.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType
from aiohttp.web import WebSocketResponse
from engineio import packet as eio_packet

if TYPE_CHECKING:
    from server.realtime.guard import SlowReaders

log = logging.getLogger(__name__)

#: An unmasked, final text WebSocket frame holding Engine.IO's PING ("2").
PING_FRAME = b"\x81\x012"
#: What `Connection.text` answers for a frame handled there, or one that ends the connection.
_SKIP, _STOP = object(), object()


class SendQueue:
    """One connection's send queue: what engineio's socket needs of an `asyncio.Queue`
    (`put`, `put_nowait`, `get`, `get_nowait`, `task_done`, `join`, `_unfinished_tasks`,
    which the direct writer reads), counting the bytes it holds for the slow-reader cap,
    and waking its connection's writer (`wake`) when a packet arrives.

    Empty, it holds no deque: most connections' queue is empty most of the time
    (direct writes bypass it), and `asyncio.Queue` costs four deques (~3 KB).
    """

    __slots__ = ("_finished", "_getter", "_items", "_request", "_unfinished_tasks", "bytes",
                 "guard", "wake")

    def __init__(self, guard: SlowReaders) -> None:
        self.guard = guard
        self.bytes = 0
        self._items: deque[Any] | None = None
        self._unfinished_tasks = 0
        self._getter: asyncio.Future[None] | None = None
        self._finished: asyncio.Future[None] | None = None
        self._request: Any = None
        #: called after each put (the connection's writer starts if it is not running)
        self.wake: Any = None

    # --- the slow-reader cap (server.realtime.guard.SlowReaders) --------------------

    def watch(self, request: Any) -> None:
        self._request = request

    def transport(self) -> asyncio.Transport | None:
        request = self._request
        return request.transport if request is not None else None

    # --- asyncio.Queue's interface, as engineio uses it -----------------------------

    def qsize(self) -> int:
        return len(self._items) if self._items else 0

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        self._unfinished_tasks += 1
        self.bytes += _size(item)
        if self.bytes > self.guard.max_bytes // 2:
            self.guard.check(self)
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)
        if self.wake is not None:
            self.wake()

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        item = self._items.popleft()
        if not self._items:
            self._items = None
        self.bytes -= _size(item)
        return item

    async def get(self) -> Any:
        while not self._items:
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        return self.get_nowait()

    def task_done(self) -> None:
        if self._unfinished_tasks <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished_tasks -= 1
        if self._unfinished_tasks == 0 and self._finished is not None:
            if not self._finished.done():
                self._finished.set_result(None)
            self._finished = None

    async def join(self) -> None:
        if self._unfinished_tasks:
            if self._finished is None:
                self._finished = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._finished)

    def discard(self) -> None:
        """Drop what is still queued (the connection is gone), as if it were sent."""
        while self._items:
            self.get_nowait()
            self.task_done()


def _size(item: Any) -> int:
    data = getattr(item, "data", None)
    return len(data) if isinstance(data, bytes | str) else 16


class Connection:
    """One Engine.IO session on one aiohttp WebSocket: read, dispatch, ping, write.

    `run()` is awaited by the WebSocket factory (server.realtime.tuning.PlainWebSocket)
    on aiohttp's handler task for the request; it returns once the connection is over
    and engineio's socket is closed.
    """

    __slots__ = ("closer", "sock", "timer", "transport", "waiting_pong", "writer", "ws")

    def __init__(self, sock: Any, ws: WebSocketResponse, transport: asyncio.Transport) -> None:
        self.sock = sock
        self.ws = ws
        self.transport = transport
        #: the heartbeat: next PING, or the ping timeout while a PONG is awaited
        self.timer: asyncio.TimerHandle | None = None
        self.waiting_pong = False
        #: the writer task, while something waits in the queue
        self.writer: asyncio.Task[None] | None = None
        #: the task closing the socket for a ping timeout, if one is under way
        self.closer: asyncio.Task[None] | None = None

    async def run(self) -> None:
        sock, ws = self.sock, self.ws
        server = sock.server
        sock.connected = True
        sock.upgraded = True
        queue = sock.queue
        queue.wake = self.wake
        if queue._unfinished_tasks:  # the OPEN packet, queued before the WebSocket was
            self.wake()
        loop = asyncio.get_running_loop()
        self.timer = loop.call_later(server.ping_interval, self.ping)
        on_message = server.handlers.get("message")
        fast = getattr(server, "fast_frame", None)
        sid = sock.sid
        try:
            while True:
                msg = await ws.receive()
                kind = msg.type
                if kind is WSMsgType.BINARY:
                    data: Any = msg.data
                    if fast is not None and await fast(sid, data):
                        continue
                elif kind is WSMsgType.TEXT:
                    data = await self.text(msg.data)
                    if data is _SKIP:
                        continue
                    if data is _STOP:
                        break
                else:  # CLOSE, CLOSING, CLOSED, ERROR (a frame over max size, a broken link)
                    break
                if on_message is not None:
                    try:
                        await on_message(sid, data)
                    except Exception:
                        log.exception("message handler error")
        finally:
            await self.finish()

    async def text(self, text: str) -> Any:
        """A text frame: the data of an Engine.IO MESSAGE, `_SKIP` for what is handled
        here, or `_STOP` to end the connection."""
        sock = self.sock
        try:
            pkt = eio_packet.Packet(encoded_packet=text)
        except ValueError:  # not Engine.IO: engineio's loop would die with it
            log.info("%s: undecodable Engine.IO packet, closing", sock.sid)
            return _STOP
        kind = pkt.packet_type
        if kind == eio_packet.MESSAGE:
            return pkt.data
        if kind == eio_packet.PONG:
            self.pong()
        elif kind == eio_packet.CLOSE:
            await sock.close(wait=False, abort=True, reason=sock.server.reason.CLIENT_DISCONNECT)
            return _STOP
        elif kind == eio_packet.UPGRADE:
            await sock.send(eio_packet.Packet(eio_packet.NOOP))
        # PING, NOOP and unknown types: engineio ignores them too
        return _SKIP

    async def finish(self) -> None:
        """End the writer after what is queued, close the WebSocket and the socket."""
        sock = self.sock
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.writer is not None:
            sock.queue.put_nowait(None)  # the writer ends there and closes the WebSocket
            writer = self.writer
            await asyncio.wait([writer])
        sock.queue.wake = None
        sock.queue.discard()
        if not self.ws.closed:
            await self.ws.close()
        await sock.close(wait=False, abort=True, reason=sock.server.reason.TRANSPORT_CLOSE)

    # --- writing ----------------------------------------------------------------------

    def wake(self) -> None:
        if self.writer is None:
            self.writer = asyncio.get_running_loop().create_task(self.write())

    async def write(self) -> None:
        """Send what is queued, then end (the next put starts another); None in the
        queue closes the WebSocket after what came before it."""
        queue, ws = self.sock.queue, self.ws
        try:
            while queue._items:
                pkt = queue.get_nowait()
                if pkt is None:
                    queue.task_done()
                    queue.discard()
                    queue.wake = None  # nothing more goes out on this connection
                    await ws.close()
                    return
                try:
                    encoded = pkt.encode()
                    if isinstance(encoded, bytes):
                        await ws.send_bytes(encoded)
                    else:
                        await ws.send_str(encoded)
                finally:
                    queue.task_done()
                if pkt.packet_type == eio_packet.OPEN:
                    # engineio's _handle_connect keeps this packet in a local for the
                    # connection's life; it is this connection's own, and sent
                    pkt.data = pkt.encode_cache = None
        except Exception:  # the link broke under us: the read loop ends with it
            queue.discard()
            queue.wake = None
            self.transport.abort()
        finally:
            self.writer = None

    # --- the heartbeat ------------------------------------------------------------------

    def ping(self) -> None:
        """Timer: send PING and wait `ping_timeout` for the PONG."""
        sock = self.sock
        if sock.closing or sock.closed:
            self.timer = None
            return
        loop = asyncio.get_running_loop()
        self.waiting_pong = True
        self.timer = loop.call_later(sock.server.ping_timeout, self.timed_out)
        transport = self.transport
        if (not sock.queue._unfinished_tasks and not self.ws.compress
                and not transport.is_closing() and not transport.get_write_buffer_size()):
            transport.write(PING_FRAME)
        else:
            sock.queue.put_nowait(eio_packet.Packet(eio_packet.PING))

    def pong(self) -> None:
        if self.waiting_pong:
            self.waiting_pong = False
            if self.timer is not None:
                self.timer.cancel()
            self.timer = asyncio.get_running_loop().call_later(
                self.sock.server.ping_interval, self.ping)

    def timed_out(self) -> None:
        """Timer: no PONG within `ping_timeout`. engineio's way: the socket closes
        with a CLOSE packet, then the WebSocket after it; a peer that reads nothing
        more is cut off `ping_timeout` later."""
        self.waiting_pong = False  # a PONG from now on revives nothing
        self.timer = asyncio.get_running_loop().call_later(
            self.sock.server.ping_timeout, self.transport.abort)
        self.closer = asyncio.get_running_loop().create_task(self.close_for_timeout())

    async def close_for_timeout(self) -> None:
        sock = self.sock
        await sock.close(wait=False, abort=False, reason=sock.server.reason.PING_TIMEOUT)
        sock.queue.put_nowait(None)
