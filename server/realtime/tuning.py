"""Performance settings of the Socket.IO stack, and the few seams they need.

Every knob here was kept because a benchmark supported it (figures in
docs/performance.md); each can be turned off in `[tuning]` of config.toml to
measure it again. Where python-socketio/python-engineio offer an extension
point we use it (`client_manager`, `async_handlers`); where they reach into
library internals (the aiohttp WebSocket factory, engineio's queue, the
transport under a WebSocket) they are listed in docs/seams.md, pinned in
pyproject.toml and tested in tests/server/test_tuning.py and
tests/server/test_socketio_seams.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
from collections.abc import Callable, Mapping
from typing import Any

import socketio
from aiohttp.web import WebSocketResponse
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet as sio_packet

from server.realtime.guard import MeteredQueue
from server.realtime.readloop import Connection, SendQueue


@dataclasses.dataclass(frozen=True)
class Tuning:
    #: permessage-deflate on the server's WebSockets. Browsers always offer it;
    #: for small msgpack frames it costs far more memory and CPU than it saves.
    ws_compression: bool = False
    #: Room emits written to each recipient's queue in one pass, without a task
    #: per recipient (python-socketio's default manager starts one each).
    direct_emit: bool = True
    #: With direct_emit, a broadcast's WebSocket frame is built once and written
    #: straight to each idle connection's transport, skipping engineio's
    #: per-socket queue and writer task (the largest cost in the profile).
    direct_write: bool = True
    #: With direct_write, a connection's first frame in a pass of the event loop
    #: is written at once and the rest of that pass's are joined and written with
    #: one send at the start of the next (a storm's `room:joined` to the lobby
    #: was one syscall per recipient).
    batch_writes: bool = True
    #: Welcomes sent in arrival order by one task, `welcome_budget_ms` of them
    #: a pass of the event loop. Each lists everyone present, so at a storm's
    #: height a pass that sent all the ready ones (~100 in flight) kept everyone
    #: else's reads waiting.
    pace_welcomes: bool = True
    #: With pace_welcomes: milliseconds of welcomes per pass (0: one a pass).
    #: Less keeps residents' chat faster during a storm; more lets it end sooner.
    welcome_budget_ms: int = 10
    #: A recall seats everyone in the lobby in one pass, its `moved` to all sent as
    #: one emit (rooms: `Floor.move_all_to`). One at a time, recalling 1,000 built
    #: 1,000 lobby details and sent the lobby a `room:joined` per mover: a stall of
    #: seconds (docs/performance.md, "Media signalling and a recall of 1,000").
    bulk_recall: bool = True
    #: Listeners keep a publisher's audio while it is muted (the engine forwards
    #: nothing meanwhile): a mute or unmute renegotiates no listener. Off, every
    #: listener of the room had a new offer to answer at each toggle (rooms/media.py).
    steady_audio: bool = True
    #: Each person's packed wire shape kept until they change, and the welcome's
    #: list of everyone present spliced from those bytes instead of built and
    #: packed afresh for each newcomer (server/realtime/welcome.py).
    welcome_cache: bool = True
    #: Clients that ask `compact` get a table's arrivals and departures summed up
    #: once a tick (`room:changes`) instead of one `room:joined` / `room:left`
    #: each: a storm into the lobby sent every resident one frame per arrival.
    room_changes: bool = True
    #: Each tick's `positions` flushed in this many slices of the rooms, spread
    #: over the tick (server/tick.py); 1 flushes every room at once.
    tick_parts: int = 8
    #: python-socketio's per-event task. Off, a client's events are handled in
    #: order on its own read loop (one client's slow request waits only itself).
    async_handlers: bool = True
    #: `move` (fire-and-forget, never awaits) handled on the connection's read
    #: loop instead of in a task of its own; other requests keep async_handlers.
    inline_moves: bool = True
    #: Engine.IO over the WebSocket read by one loop per connection (aiohttp's
    #: handler task), the heartbeat one timer, the writer a task only while
    #: something is queued (server/realtime/readloop.py); off, engineio's loop
    #: starts a task and a `wait_for` for every frame received.
    own_read_loop: bool = True
    #: Once a WebSocket is open, engineio's WSGI-style `environ` (kept by
    #: python-socketio for the connection's life) keeps only the request and its
    #: method, path and query, not a copy of every header (the request has them).
    slim_environ: bool = True
    #: With own_read_loop and inline_moves, a binary frame that is a `move`
    #: (no ack, namespace "/") is decoded once and handed to the floor from the
    #: read loop, past python-socketio's packet object and its four-call
    #: dispatch (`SocketServer.fast_move`); anything else takes the usual path.
    fast_moves: bool = True
    #: Freeze what start-up allocated out of the cyclic collector's sight.
    gc_freeze: bool = True
    #: Cyclic collector thresholds after start-up; empty keeps Python's default.
    gc_threshold: tuple[int, ...] = (50_000, 20, 100)
    #: The server's event loop is uvloop's (libuv) instead of asyncio's own.
    uvloop: bool = True
    #: Once a wave of connections has settled, freeze its survivors out of the
    #: collector's young generations; release them when most have left
    #: (server/collector.py).
    gc_settle: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> Tuning:
        """Build from `[tuning]` of config.toml. Raises ValueError on unknown keys."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(table) - names
        if unknown:
            raise ValueError(f"unknown [tuning] settings: {', '.join(sorted(unknown))}")
        values = dict(table)
        if "gc_threshold" in values:
            values["gc_threshold"] = tuple(int(v) for v in values["gc_threshold"])
        for name, low, high in (("welcome_budget_ms", 0, 1000), ("tick_parts", 1, 20)):
            value = values.get(name, low)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"[tuning] {name} must be a whole number from {low} to {high}")
        for name in names - {"gc_threshold", "welcome_budget_ms", "tick_parts"}:
            if name in values and not isinstance(values[name], bool):
                raise ValueError(f"[tuning] {name} must be true or false")
        return cls(**values)

    @classmethod
    def stock(cls) -> Tuning:
        """The libraries' defaults: what a plain python-socketio server does."""
        return cls(ws_compression=True, direct_emit=False, direct_write=False,
                   batch_writes=False, pace_welcomes=False, welcome_cache=False, tick_parts=1,
                   room_changes=False, async_handlers=True, inline_moves=False,
                   own_read_loop=False, slim_environ=False, fast_moves=False, gc_freeze=False,
                   gc_threshold=(), bulk_recall=False, steady_audio=False, uvloop=False,
                   gc_settle=False)


class PlainWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """engineio's aiohttp WebSocket, with permessage-deflate refused.

    The same as `engineio.async_drivers.aiohttp.WebSocket.__call__` but for
    `compress=False`, which makes aiohttp answer the handshake without the
    extension, so frames go out as they are; engineio's socket learns its
    aiohttp response and request (`kohtaamo_ws`, `kohtaamo_request`), for the
    direct writer and the slow-reader cap (server.realtime.guard); and with
    `own_read_loop` a new connection is served by `readloop.Connection` instead
    of engineio's `_websocket_handler` (an upgrade from polling keeps engineio's).
    """

    compress = False

    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=self.compress,
        )
        await self._sock.prepare(request)
        if self.server.slim_environ:
            slim_environ(environ)
        self.environ = environ
        owner = getattr(self.handler, "__self__", None)
        if owner is not None:
            owner.kohtaamo_ws = self._sock
            owner.kohtaamo_request = request
            if isinstance(owner.queue, MeteredQueue | SendQueue):
                owner.queue.watch(request)
            if isinstance(owner.queue, SendQueue) and not owner.connected:
                await Connection(owner, self._sock, request.transport).run()
                return self._sock
        await self.handler(self)
        return self._sock


#: What a slimmed environ keeps: Kohtaamo reads the client's address and headers from
#: the aiohttp request (server.net.client_address), engineio reads nothing more once
#: the WebSocket is open.
ENVIRON_KEPT = ("aiohttp.request", "REQUEST_METHOD", "PATH_INFO", "QUERY_STRING")


def slim_environ(environ: dict[str, Any]) -> None:
    """Keep only `ENVIRON_KEPT`, in place (python-socketio holds this very dict);
    `clear()` frees the dict's table, which deleting keys one by one would not."""
    kept = {key: environ[key] for key in ENVIRON_KEPT if key in environ}
    environ.clear()
    environ.update(kept)


class DeflateWebSocket(PlainWebSocket):
    """`PlainWebSocket` with permessage-deflate as the libraries offer it
    (`[tuning] ws_compression = true`)."""

    compress = True


class DirectManager(socketio.AsyncManager):  # type: ignore[misc]
    """The stock manager, but a broadcast without callback is encoded once and
    handed to each recipient in one pass instead of starting a task each.

    With `direct_write`, the WebSocket frame itself is built once and written to
    each recipient's transport, when that connection is idle: nothing queued or
    in flight in engineio's writer (`queue._unfinished_tasks == 0`, an
    `asyncio.Queue` attribute) and nothing buffered in the transport. Otherwise
    the packet takes engineio's queue, behind what is already there, so order
    per connection is kept either way.
    """

    def __init__(self, direct_write: bool = False, batch_writes: bool = False) -> None:
        super().__init__()
        self.direct_write = direct_write
        self.batch = FrameBatch() if batch_writes else None
        #: (namespace, sid) -> the rooms it is in, so leaving them all does not
        #: scan every room: the stock manager copies and scans the namespace's
        #: whole room table on each disconnect (two rooms per client at least),
        #: which made 5,000 people leaving at once a stall of seconds. A list: a
        #: client is in a handful of rooms, and a set of more than five costs 0.7 KB.
        self._rooms_of: dict[tuple[str, str], list[Any]] = {}

    # --- room membership, indexed by client (same state as the stock manager) -----

    def basic_enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None,
    ) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid)
        rooms = self._rooms_of.setdefault((namespace, sid), [])
        if room not in rooms:
            rooms.append(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None and room in rooms:
            rooms.remove(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """BaseManager.basic_disconnect, leaving the client's rooms from the index."""
        for room in self._rooms_of.pop((namespace, sid), ()):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            if sid in pending.get(namespace, ()):
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]

    async def emit(
        self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None,
        callback: Any = None, to: Any = None, **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                               callback=callback, to=to, **kwargs)
            return
        room = to or room
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        if not isinstance(encoded, list):
            encoded = [encoded]
        eio_pkts = [eio_packet.Packet(eio_packet.MESSAGE, p) for p in encoded]
        frame = None
        if self.direct_write and len(encoded) == 1 and isinstance(encoded[0], bytes):
            frame = binary_frame(encoded[0])
        eio = self.server.eio
        send = eio.send_packet
        sockets = eio.sockets
        batch = self.batch
        # a snapshot: the room may change while a send yields
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid in skip:
                continue
            if frame is not None and _write_now(sockets.get(eio_sid), frame, batch):
                continue
            for p in eio_pkts:
                await send(eio_sid, p)


    def write_packet(self, eio_sid: str, payload: Any) -> bool:
        """Write one encoded Socket.IO packet for one client (an ack, CONNECT,
        DISCONNECT) straight to its idle WebSocket; False to use engineio's queue.

        Besides saving the writer task's wake-up, this keeps engineio's writer
        from holding on to the last packet it sent (its loop variable lives
        until the next packet): for most connections that was the `enter` ack,
        a table's whole chat history.
        """
        if not self.direct_write or not isinstance(payload, bytes):
            return False
        return _write_now(self.server.eio.sockets.get(eio_sid), binary_frame(payload), self.batch)


def binary_frame(payload: bytes) -> bytes:
    """One unmasked, uncompressed, final binary WebSocket frame (RFC 6455 5.2)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x82, n))
    elif n < 1 << 16:
        header = bytes((0x82, 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x82, 127)) + n.to_bytes(8, "big")
    return header + payload


class FrameBatch:
    """A connection's frames during one pass of the event loop: the first is
    written at once, the rest are joined and written with one send by a callback
    at the start of the next pass.

    So a connection sent one frame a pass (a tick's `positions`) pays no wait,
    and one sent hundreds (the lobby during a storm) pays two sends, not
    hundreds. Order per connection holds: later frames of the pass are joined
    behind the first in the order they were added, and anything engineio's
    writer sends after them is queued after the flush was scheduled, so it is
    written after it (see `_write_now`).
    """

    def __init__(self) -> None:
        self._sent: set[Any] = set()
        self._pending: dict[Any, list[bytes]] = {}

    def holds(self, transport: Any) -> bool:
        """Whether frames for `transport` wait for the flush (new ones go behind them)."""
        return transport in self._pending

    def add(self, transport: Any, frame: bytes) -> None:
        chunks = self._pending.get(transport)
        if chunks is not None:
            chunks.append(frame)
            return
        if not (self._sent or self._pending):
            asyncio.get_running_loop().call_soon(self.flush)
        if transport in self._sent:
            self._pending[transport] = [frame]
        else:
            self._sent.add(transport)
            transport.write(frame)

    def flush(self) -> None:
        pending, self._pending = self._pending, {}
        self._sent.clear()
        for transport, chunks in pending.items():
            if not transport.is_closing():
                transport.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))


def _write_now(sock: Any, frame: bytes, batch: FrameBatch | None = None) -> bool:
    """Write `frame` to an idle, uncompressed WebSocket now (or add it to `batch`);
    False to use engineio's queue."""
    ws = getattr(sock, "kohtaamo_ws", None)
    if ws is None or sock.closing or sock.closed or not sock.upgraded or ws.compress:
        return False
    if sock.queue._unfinished_tasks:  # engineio's writer has packets queued or in hand
        return False
    transport = sock.kohtaamo_request.transport
    if transport is None:
        return False
    if batch is not None and batch.holds(transport):
        batch.add(transport, frame)  # behind this pass's earlier frames
        return True
    if transport.is_closing() or transport.get_write_buffer_size():
        return False
    if batch is not None:
        batch.add(transport, frame)
    else:
        transport.write(frame)
    return True


def server_options(tuning: Tuning) -> dict[str, Any]:
    """Keyword arguments for `socketio.AsyncServer` that carry the tuning."""
    options: dict[str, Any] = {"async_handlers": tuning.async_handlers}
    if tuning.own_read_loop:
        # engineio's service task only checks its own pings, which the read loop replaces
        options["monitor_clients"] = False
    if tuning.direct_emit:
        options["client_manager"] = DirectManager(
            direct_write=tuning.direct_write, batch_writes=tuning.batch_writes)
    return options


def apply(sio: socketio.AsyncServer, tuning: Tuning) -> None:
    """Set what cannot be passed to the constructor: the WebSocket factory."""
    # engineio keeps its driver table in `_async`, shared by every server
    # in the process: give this server its own copy before changing it.
    factory = DeflateWebSocket if tuning.ws_compression else PlainWebSocket
    sio.eio._async = {**sio.eio._async, "websocket": factory}
    sio.eio.own_read_loop = tuning.own_read_loop
    sio.eio.slim_environ = tuning.slim_environ
    # the read loop's shortcut for `move` frames (server.realtime.readloop)
    sio.eio.fast_frame = (getattr(sio, "fast_move", None)
                          if tuning.fast_moves and tuning.inline_moves else None)


def loop_factory(tuning: Tuning) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """What `kohtaamo serve` builds its event loop with: uvloop's when `uvloop` is on,
    None for asyncio's default."""
    if not tuning.uvloop:
        return None
    import uvloop

    return uvloop.new_event_loop


def after_startup(tuning: Tuning) -> None:
    """Called once the world is loaded: settle the cyclic collector."""
    if tuning.gc_freeze:
        gc.collect()
        gc.freeze()
    if tuning.gc_threshold:
        gc.set_threshold(*tuning.gc_threshold)
