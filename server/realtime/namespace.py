"""Socket.IO: the server, its one namespace, and the thin path of every request.

A request is looked up in `rooms.commands.COMMANDS` (its validator) and in the
handler table the app gives the namespace (what it does: the handler modules'
`HANDLERS`, merged in `server.app`), parsed into a command, handled, and its
outbox delivered; every error becomes the contract's error ack here, or an
`error` event when the client asked for no ack. `move` is fire-and-forget: bad
points are dropped, as the contract says. A connection that keeps making bad or
over-the-limit requests is ended once its budget (`[limits] violations`) is spent.

`SocketServer` overrides python-socketio's private methods where it offers no
public hook; every such seam is listed in docs/seams.md, pinned in
pyproject.toml and tested in tests/server/test_socketio_seams.py.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import msgpack
import socketio

from rooms.commands import COMMANDS, Move
from rooms.errors import BadRequest, KohtaamoError, Unauthorized
from rooms.event import Event
from rooms.model import Role
from rooms.outbound import Outbox, Relocate
from rooms.snapshot import present_people
from server.errors import ack_error
from server.metrics import Requests
from server.realtime.delivery import (
    Delivery,
    event_channel,
    host_channel,
    person_channel,
    staff_channel,
)
from server.realtime.guard import (
    EngineServer,
    SlowReaders,
    Violations,
    close_engine,
    end_connection,
)
from server.realtime.handlers import Context, Handlers
from server.realtime.packet import MALFORMED, RESERVED, Packet
from server.realtime.sessions import Sessions
from server.realtime.tuning import DirectManager, Tuning, server_options
from server.realtime.tuning import apply as apply_tuning
from server.realtime.welcome import PeopleBytes, encode_welcome
from server.world import World, now_ms

log = logging.getLogger(__name__)

#: Error codes that spend a connection's budget of bad requests.
_VIOLATIONS = frozenset({"bad_request", "rate_limited", "unauthorized"})

#: What adds fields to a person's `welcome.event` (server.media.calls.Calls.welcome).
WelcomeExtra = Callable[[Event, str], dict[str, Any]]

#: Whether the request being handled carries an ack id.
#: The request counter's key for a move (`server.metrics.Requests`).
_MOVE_RECEIVED = (Move.name, "received")

ACK_REQUESTED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "ack_requested", default=True
)


class SocketServer(socketio.AsyncServer):  # type: ignore[misc]
    #: requests by name and outcome, for /metrics
    requests: Requests
    #: see server.realtime.tuning.Tuning.inline_moves
    inline_moves = False
    #: Seconds a connection has to complete its Socket.IO CONNECT.
    connect_timeout: float = 10
    _closers: set[asyncio.Task[None]]

    def _engineio_server_class(self) -> type[EngineServer]:
        return EngineServer

    @property
    def slow_readers(self) -> SlowReaders:
        return self.eio.slow_readers  # type: ignore[no-any-return]

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> None:
        await super()._handle_eio_connect(eio_sid, environ)
        asyncio.get_running_loop().call_later(
            self.connect_timeout, self._close_if_unconnected, eio_sid)

    def _close_if_unconnected(self, eio_sid: str) -> None:
        """A connection without a Socket.IO session `connect_timeout` after it
        opened (never authenticated, refused, or still authenticating) is closed."""
        sid = self.manager.sid_from_eio_sid(eio_sid, "/")
        if eio_sid not in self.eio.sockets or (sid and self.manager.is_connected(sid, "/")):
            return
        task = asyncio.create_task(close_engine(self.eio, eio_sid))
        self._closers.add(task)
        task.add_done_callback(self._closers.discard)

    async def _handle_disconnect(
        self, eio_sid: str, namespace: str, reason: Any = None,
    ) -> None:
        # A client that leaves the namespace has nothing left on this connection.
        await super()._handle_disconnect(eio_sid, namespace, reason)
        await close_engine(self.eio, eio_sid)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: Any,
    ) -> None:
        ACK_REQUESTED.set(id is not None)
        await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)

    async def _handle_event(self, eio_sid: str, namespace: str, id: Any, data: Any) -> None:
        if self.inline_moves and id is None and data and data[0] == Move.name:
            namespace = namespace or "/"
            sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
            if sid is not None and self.manager.is_connected(sid, namespace):
                await self._handle_event_internal(self, sid, eio_sid, data, namespace, id)
            return
        await super()._handle_event(eio_sid, namespace, id, data)

    async def fast_move(self, eio_sid: str, data: bytes) -> bool:
        """Handle a binary frame that is a `move` without an ack to namespace "/"
        as `_handle_event` would with `inline_moves`, skipping the packet object
        and the dispatch calls (`[tuning] fast_moves`); False, having changed
        nothing, for any other frame, which then takes the usual path."""
        if b"\xa4move" not in data[:24]:  # the name sits near the start of a move
            return False
        try:
            decoded = msgpack.loads(data, strict_map_key=True, use_list=True)
        except (ValueError, TypeError, msgpack.UnpackException):
            return False
        if type(decoded) is not dict or decoded.get("type") != 2 or "id" in decoded:
            return False
        body = decoded.get("data")
        if (decoded.get("nsp") or "/") != "/" or type(body) is not list or not body \
                or body[0] != Move.name:
            return False
        sid = self.manager.sid_from_eio_sid(eio_sid, "/")
        namespace = self.namespace_handlers.get("/")
        if sid is None or namespace is None:
            return False
        # the floor ignores a move from a connection it no longer seats (`_move`)
        accepted, out = namespace._move(sid, tuple(body[1:]))
        self.requests.counts[_MOVE_RECEIVED] += 1
        if out or not accepted:  # naive_moves (benchmark only), or a bad or too fast move
            ACK_REQUESTED.set(False)
            if out:
                await namespace.delivery(out)
            if not accepted:
                await namespace._violation(sid, Move.name)
        return True

    async def _send_packet(self, eio_sid: str, pkt: Any) -> None:
        # python-socketio's own, but a packet to an idle connection is written
        # directly (server.realtime.tuning.DirectManager.write_packet).
        encoded = pkt.encode()
        manager = self.manager
        if isinstance(manager, DirectManager) and manager.write_packet(eio_sid, encoded):
            return
        for part in encoded if isinstance(encoded, list) else [encoded]:
            await self.eio.send(eio_sid, part)

    async def send_encoded(self, sid: str, payload: bytes, namespace: str = "/") -> None:
        """Send one already encoded Socket.IO packet to one client, as `_send_packet`
        sends any (the spliced welcome, server.realtime.welcome)."""
        eio_sid = self.manager.eio_sid_from_sid(sid, namespace)
        if eio_sid is None:
            return
        manager = self.manager
        if isinstance(manager, DirectManager) and manager.write_packet(eio_sid, payload):
            return
        await self.eio.send(eio_sid, payload)

    async def _trigger_event(self, event: str, namespace: str, *args: Any) -> Any:
        # Client events never arrive named "connect" or "disconnect": the packet
        # class renames them (RESERVED), so these are python-socketio's own calls.
        reply = await super()._trigger_event(event, namespace, *args)
        if event not in ("connect", "disconnect"):
            self.requests.count(event, reply)
        return reply


def create_sio(
    max_payload: int, tuning: Tuning | None = None, ping: tuple[int, int] = (25, 20), *,
    connect_timeout: float = 10, max_queued_bytes: int = 1024 * 1024,
) -> SocketServer:
    """The Socket.IO server; `ping` is Engine.IO's (ping_interval, ping_timeout) in s."""
    tuning = tuning or Tuning()
    sio = SocketServer(
        async_mode="aiohttp",
        serializer=Packet,
        cors_allowed_origins=[],
        max_http_buffer_size=max_payload,
        # the client uses WebSocket only; a polling session cost memory for ~90 s
        transports=["websocket"],
        logger=False,
        engineio_logger=False,
        ping_interval=ping[0],
        ping_timeout=ping[1],
        **server_options(tuning),
    )
    sio.requests = Requests()
    sio.inline_moves = tuning.inline_moves
    sio.connect_timeout = connect_timeout
    sio._closers = set()
    sio.eio.slow_readers = SlowReaders(max_queued_bytes)
    apply_tuning(sio, tuning)
    return sio


class FloorNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """The default namespace. Holds no per-client state: that lives in `Sessions`."""

    def __init__(
        self, world: World, sessions: Sessions, delivery: Delivery, handlers: Handlers,
        tuning: Tuning | None = None, welcome_extra: WelcomeExtra | None = None,
    ) -> None:
        tuning = tuning or Tuning()
        super().__init__("/")
        self.world = world
        #: command class -> handler, every request but `move` (server.app merges them)
        self.handlers = handlers
        #: Fields added to `welcome.event` per person (media: ICE servers, speakers).
        self.welcome_extra = welcome_extra
        self.sessions = sessions
        self.delivery = delivery
        self.violations = Violations(world.config.rates["violations"])
        self._tasks: set[asyncio.Task[None]] = set()
        #: Connections waiting for their welcome, in arrival order, and the task
        #: that sends them (see Tuning.pace_welcomes); None sends each at once.
        self._welcomes: collections.deque[tuple[str, str, str]] | None = (
            collections.deque() if tuning.pace_welcomes else None)
        self._welcomer: asyncio.Task[None] | None = None
        #: Seconds of welcomes sent in one pass of the event loop before the
        #: others wait for the next, so reads (chat, moves) run in between.
        self.welcome_budget = tuning.welcome_budget_ms / 1000
        #: Per event, each present person's packed wire shape (Tuning.welcome_cache).
        self._people_bytes: dict[str, PeopleBytes] | None = (
            {} if tuning.welcome_cache else None)

    # --- lifecycle -----------------------------------------------------------------

    async def on_connect(self, sid: str, environ: Any, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        # the large-event forms (docs/protocol.md); anything but `true` is as absent
        compact = isinstance(auth, dict) and auth.get("compact") is True
        try:
            event, person = await self.world.authenticate(token)
        except KohtaamoError as exc:
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.as_dict()) from None
        old = self.sessions.bind(person.id, sid, compact)
        if old is not None:
            await self.emit("replaced", {}, to=old)
            await end_connection(self.server, old)
        # The welcome goes out once the CONNECT packet has: python-socketio sends
        # that after this handler returns, and our task runs after it.
        if self._welcomes is None:
            self._start(self._send_welcome(sid, event.slug, person.id))
            return
        self._welcomes.append((sid, event.slug, person.id))
        if self._welcomer is None:
            self._welcomer = self._start(self._send_welcomes(self._welcomes))

    def _start(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send_welcomes(self, waiting: collections.deque[tuple[str, str, str]]) -> None:
        """Send waiting welcomes in arrival order, `welcome_budget` seconds of them
        a pass. Each lists everyone present: at a storm's height a pass that sent
        every ready one kept the residents' chat waiting for hundreds of ms."""
        loop = asyncio.get_running_loop()
        try:
            while waiting:
                deadline = loop.time() + self.welcome_budget
                while waiting:
                    try:
                        await self._send_welcome(*waiting.popleft())
                    except Exception:
                        log.exception("welcome failed")
                    if loop.time() >= deadline:
                        break
                await asyncio.sleep(0)
        finally:
            self._welcomer = None

    async def _send_welcome(self, sid: str, slug: str, person_id: str) -> None:
        if self.sessions.sid_of(person_id) != sid:
            return  # gone or replaced before we got here
        event = self.world.events[slug]
        person = event.people[person_id]
        _resumed, out = event.connect(person_id, now_ms())
        cache = self._people_bytes
        welcome = event.welcome(person_id, people=cache is None)
        if self.welcome_extra is not None:
            welcome["event"].update(self.welcome_extra(event, person_id))
        encoded: bytes | None = None
        if cache is not None:
            people = cache.setdefault(slug, PeopleBytes()).all(present_people(event.floor))
            encoded = encode_welcome(welcome, people)
        if self.sessions.sid_of(person_id) != sid:
            return
        # No await may yield between joining the channels and queueing the
        # welcome, so nothing broadcast to them can overtake it.
        await self.enter_room(sid, person_channel(person_id))
        await self.enter_room(sid, event_channel(slug))
        if person.role.is_staff:
            await self.enter_room(sid, staff_channel(slug))
        if person.role is Role.HOST:
            await self.enter_room(sid, host_channel(slug))
        own: Outbox = [o for o in out if isinstance(o, Relocate) and o.person == person_id]
        await self.delivery(own)
        if encoded is None:
            await self.emit("welcome", welcome, to=sid)
        else:
            await self.server.send_encoded(sid, encoded)
        await self.delivery([o for o in out if o not in own])

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self.violations.forget(sid)
        person_id = self.sessions.unbind(sid)
        if person_id is not None:
            self.world.event_of(person_id).disconnect(person_id, now_ms())

    # --- requests ------------------------------------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid, payload = args[0], args[1:]
        if event == Move.name:
            await self.on_move(sid, payload)
            return None
        if event == RESERVED:  # a client event named like a lifecycle handler
            name = payload[0] if payload and isinstance(payload[0], str) else event
            reply = ack_error(BadRequest(f"{name} is a reserved event name"))
            event = name
        else:
            reply = await self._request(sid, event, payload)
        if not reply["ok"]:
            if not ACK_REQUESTED.get():
                await self.emit("error", {**reply["error"], "request": event[:64]}, to=sid)
            if reply["error"]["code"] in _VIOLATIONS:
                await self._violation(sid, event)
        return reply

    async def on_move(self, sid: str, payload: tuple[Any, ...]) -> None:
        """A `move` (no ack): the floor takes it; a malformed or too fast one spends
        the connection's budget of bad requests."""
        accepted, out = self._move(sid, payload)
        if out:  # only with the benchmark-only naive_moves setting
            await self.delivery(out)
        if not accepted:
            await self._violation(sid, Move.name)

    async def _violation(self, sid: str, event: str) -> None:
        """Spend one of the connection's budget of bad requests; past it, end it."""
        if self.violations.allow(sid, now_ms()):
            return
        self.violations.forget(sid)
        if not self.server.manager.is_connected(sid, "/"):
            return  # already ending
        log.info("ending connection %s: too many bad or too fast requests", sid)
        await self.emit("error", {"code": "rate_limited", "request": event[:64],
                                  "message": "too many bad or too fast requests"}, to=sid)
        await end_connection(self.server, sid)

    def _move(self, sid: str, payload: tuple[Any, ...]) -> tuple[bool, Outbox]:
        """(accepted, outbox): a malformed or too fast move is not accepted."""
        person_id = self.sessions.person_of(sid)
        if person_id is None:
            return True, []
        if len(payload) != 1:
            return False, []
        try:
            move = Move.parse(payload[0])
        except BadRequest:
            return False, []
        event = self.world.event_of(person_id)
        if self.world.config.naive_moves:
            return True, event.move_now(person_id, move.x, move.y, now_ms())
        return event.move(person_id, move.x, move.y, now_ms()), []

    async def _request(self, sid: str, name: str, payload: tuple[Any, ...]) -> dict[str, Any]:
        try:
            person_id = self.sessions.person_of(sid)
            if person_id is None:
                raise Unauthorized("this connection is no longer yours")
            if name == MALFORMED:
                raise BadRequest("malformed packet")
            command = COMMANDS.get(name)
            handler = self.handlers.get(command) if command is not None else None
            if handler is None or command is None:
                raise BadRequest(f"unknown request: {name[:64]}")
            if len(payload) != 1:
                raise BadRequest("a request takes exactly one payload")
            parsed = command.parse(payload[0])
            ctx = Context(self.world, self.world.event_of(person_id), person_id, now_ms())
            result = await handler(ctx, parsed)
        except KohtaamoError as exc:
            return ack_error(exc)
        except Exception:
            log.exception("request %r failed", name[:64])
            return ack_error(KohtaamoError("something went wrong on the server"))
        await self.delivery(result.out)
        return {"ok": True, **result.reply}
