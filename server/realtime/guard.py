"""What keeps one connection from costing the server without limit (issue 10);
the cap on connections per address is HTTP's (server/http/connections.py).

- `MeteredQueue`: engineio's per-connection send queue, counting the bytes it
  holds. Past `max_queued_bytes` (with what the transport still buffers) the
  connection is aborted at the transport, as a slow reader, and counted in
  `SlowReaders.closed` (`kohtaamo_slow_readers_closed_total`).
- `Violations`: a budget per connection of bad or over-the-limit requests; a
  connection that keeps breaking limits is ended (`end_connection`).
- `end_connection` / `close_engine`: a Socket.IO DISCONNECT, then the Engine.IO
  connection under it closed, so a client that ignores the DISCONNECT hears
  nothing more.

The library internals these touch are listed in docs/seams.md.
"""

from __future__ import annotations

import asyncio
from typing import Any

import engineio
import socketio
from aiohttp import web

from rooms.ratelimit import Limits, Rate
from server.realtime.readloop import SendQueue


class SlowReaders:
    """The byte cap on what waits for one connection, and how many were closed past it."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.closed = 0

    def check(self, queue: MeteredQueue | SendQueue) -> None:
        transport = queue.transport()
        if transport is None or transport.is_closing():
            return
        if queue.bytes + transport.get_write_buffer_size() > self.max_bytes:
            self.closed += 1
            transport.abort()  # the read loop ends, and with it the session


def _size(item: Any) -> int:
    data = getattr(item, "data", None)
    return len(data) if isinstance(data, bytes | str) else 16


class MeteredQueue(asyncio.Queue[Any]):
    """engineio's send queue for one connection, counting the bytes it holds.

    `_put` and `_get` are the hooks `asyncio.Queue` keeps for subclasses (as
    `PriorityQueue` uses them); engineio only ever puts and gets.
    """

    def __init__(self, guard: SlowReaders) -> None:
        super().__init__()
        self.guard = guard
        self.bytes = 0
        self._request: web.BaseRequest | None = None

    def watch(self, request: web.BaseRequest) -> None:
        """Called when the connection's WebSocket opens: its transport is the request's."""
        self._request = request

    def transport(self) -> asyncio.Transport | None:
        request = self._request
        return request.transport if request is not None else None

    def _put(self, item: Any) -> None:
        super()._put(item)
        self.bytes += _size(item)
        if self.bytes > self.guard.max_bytes // 2:
            self.guard.check(self)

    def _get(self) -> Any:
        item = super()._get()
        self.bytes -= _size(item)
        return item


class EngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """engineio's server with metered send queues (see `MeteredQueue`).

    With `own_read_loop` (server.realtime.readloop), the queues are `SendQueue`s and
    the heartbeat is the read loop's: engineio's ping task per socket is never
    started (its `last_ping` is cleared before `schedule_ping()`); its service task,
    which only checks those pings, is turned off by `monitor_clients=False`.
    """

    slow_readers: SlowReaders = SlowReaders(1024 * 1024)
    own_read_loop = False
    #: see server.realtime.tuning.Tuning.slim_environ
    slim_environ = False

    def create_queue(self, *args: Any, **kwargs: Any) -> MeteredQueue | SendQueue:
        if self.own_read_loop:
            return SendQueue(self.slow_readers)
        return MeteredQueue(self.slow_readers)

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect" and self.own_read_loop:
            # engineio calls schedule_ping() right after "connect": with no last
            # ping it starts no task, and the read loop keeps the heartbeat
            sock = self.sockets.get(args[0])
            if sock is not None:
                sock.last_ping = None
        return await super()._trigger_event(event, *args, **kwargs)


async def close_engine(eio: engineio.AsyncServer, eio_sid: str) -> None:
    """Close an Engine.IO connection (a CLOSE packet after what is queued), without
    waiting for a slow reader to drain its queue."""
    sock = eio.sockets.get(eio_sid)
    if sock is not None and not (sock.closed or sock.closing):
        await sock.close(wait=False)
        # engineio's writer would wait for more to send until the ping timeout
        # (45 s) while a client that ignores CLOSE keeps the WebSocket open:
        # None ends the writer after what is queued, and it closes the WebSocket.
        sock.queue.put_nowait(None)


async def end_connection(sio: socketio.AsyncServer, sid: str) -> None:
    """End a Socket.IO session for good: DISCONNECT (the browser does not reconnect
    by itself), then the connection under it is closed."""
    eio_sid = sio.manager.eio_sid_from_sid(sid, "/")
    await sio.disconnect(sid)
    if eio_sid is not None:
        await close_engine(sio.eio, eio_sid)


class Violations:
    """Per connection: how many bad or over-the-limit requests it may still make."""

    def __init__(self, rate: Rate) -> None:
        self._limits = Limits({"violations": rate})

    def allow(self, sid: str, now: int) -> bool:
        """Record one violation; False once the connection's budget is spent."""
        return self._limits.allow(sid, "violations", now)

    def forget(self, sid: str) -> None:
        self._limits.forget(sid)
