"""One simulated person: HTTP join (aiohttp), then Engine.IO v4 / Socket.IO v5 msgpack
over a `bench.wsclient.WebSocket`, offering permessage-deflate as browsers do."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgpack

from bench.wsclient import BINARY, WebSocket

if TYPE_CHECKING:
    from bench.loadgen import Generator

# Socket.IO packet types
CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = 0, 1, 2, 3, 4

#: How long any single wait may take before it counts as an error.
WAIT_S = 30.0

#: Chat text carries its send time: "bench <perf_counter> ...".
_STAMP = re.compile(r"bench (\d+\.\d+) ")


#: How a msgpack EVENT packet with one argument begins, from python-socketio and
#: from socket.io's msgpack parser alike: `{"type": 2, "data": [name, ...], ...}`.
EVENT_HEAD = b"\x83\xa4type\x02\xa4data\x92"
_NAME_AT = len(EVENT_HEAD)


def event_prefix(name: str) -> bytes:
    """How an EVENT `name` with one argument begins."""
    return EVENT_HEAD + msgpack.packb(name)


def event_name(frame: bytes) -> bytes:
    """The encoded name (msgpack fixstr, its length byte included) of an EVENT frame
    that begins with EVENT_HEAD; for any other frame, bytes no name encodes to."""
    if not frame.startswith(EVENT_HEAD) or len(frame) <= _NAME_AT:
        return b""
    return frame[_NAME_AT:_NAME_AT + 1 + (frame[_NAME_AT] & 0x1F)]


def _counted(*names: str) -> dict[bytes, str]:
    return {msgpack.packb(n): f"recv:{n}" for n in names}


#: What a sim only counts, by the name at the frame's start, without decoding it:
#: one generator core cannot decode what thousands of browsers would. A frame that
#: begins otherwise is decoded as usual, so a change in the encoding costs time,
#: never correctness. Everyone counts these...
COUNT_ONLY = _counted("room:joined", "room:left", "room:changes", "presence")
#: ...and those who measure nothing (not observers) these too.
COUNT_ONLY_UNOBSERVED = _counted("room:joined", "room:left", "room:changes", "presence",
                                 "positions", "chat")
_WELCOME = event_prefix("welcome")


def peek_welcome(frame: bytes) -> tuple[str, str] | None:
    """(my id, my room's id) from a `welcome` frame, skipping the rest of it (the
    list of everyone present) without building it; None if it is not a welcome."""
    if not frame.startswith(_WELCOME):
        return None
    u = msgpack.Unpacker(strict_map_key=False)
    u.feed(frame[len(_WELCOME):])
    me = room = None
    for _ in range(u.read_map_header()):
        key = u.unpack()
        if key == "me":
            me = u.unpack()["id"]
        elif key == "room":  # RoomDetail: {room: Room, occupants, chat}
            for _ in range(u.read_map_header()):
                if u.unpack() == "room":
                    room = u.unpack()["id"]
                else:
                    u.skip()
        else:
            u.skip()
    return (me, room) if me is not None and room is not None else None


class Sim:
    #: Keeps its whole welcome (media sims read `event.media` from it); others,
    #: but a host, take only their id and room from it.
    full_welcome = False

    """One simulated person: an HTTP join and one Engine.IO/Socket.IO websocket."""

    def __init__(
        self, gen: Generator, index: int, token: str | None = None, role: str = "attendee",
    ) -> None:
        self.gen = gen
        self.index = index
        self.role = role
        self.name = f"Bench {index}"
        self.token = token
        self.id = ""
        self.ws: WebSocket | None = None
        self.reader: asyncio.Task[None] | None = None
        #: what the connection delivers that is not only counted, for `_read`, in order
        self._inbox: asyncio.Queue[tuple[int, bytes | str] | None] = asyncio.Queue()
        self._counted: dict[bytes, str] = {}
        self.welcomed = asyncio.Event()
        self.welcome: dict[str, Any] = {}
        self.room: str | None = None
        self.observer = False
        #: Measures nothing: counts everything it need not act on from the frame's
        #: first bytes, as a non-observer does (the storm's newcomers). One generator
        #: core cannot decode what thousands of browsers would, and its stalls would
        #: be measured as the server's latency. Only a host keeps its whole welcome.
        self.quiet = False
        self.closing = False
        self.x = 500
        self.y = 500
        #: recent points sent and when (perf_counter), for move→peer latency
        self.sent: dict[tuple[int, int], float] = {}
        self._acks: dict[int, tuple[str, float, Callable[[dict[str, Any]], None] | None]] = {}
        self._next_ack = 0

    # --- front door ------------------------------------------------------------

    async def join(self) -> None:
        url = f"{self.gen.url}/api/events/{self.gen.event}/join"
        async with self.gen.http.post(url, json={"name": self.name}) as r:
            body = await r.json()
            if r.status != 201:
                code = body.get("error", {}).get("code", r.status)
                raise RuntimeError(f"join {r.status} {code}")
        self.token = body["token"]
        self.id = body["person"]["id"]

    async def connect(self) -> None:
        ws_url = self.gen.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self._counted = (COUNT_ONLY if self.observer and not self.quiet
                         else COUNT_ONLY_UNOBSERVED)
        self.ws = await WebSocket.connect(ws_url, self._on_message, self._on_close,
                                          deflate=self.gen.deflate, timeout=WAIT_S)
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.welcomed.wait(), WAIT_S)

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2.0)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader

    # --- sending ---------------------------------------------------------------

    async def _send(self, pkt: dict[str, Any]) -> None:
        ws = self.ws
        if ws is None or ws.closed:
            return
        try:
            ws.send_bytes(msgpack.packb(pkt))
        except ConnectionError:
            self.gen.stats.error("send_failed")

    async def emit(
        self, name: str, data: Any,
        on_ack: Callable[[dict[str, Any]], None] | None = None, ack: bool = True,
    ) -> None:
        pkt: dict[str, Any] = {"type": EVENT, "nsp": "/", "data": [name, data]}
        if ack:
            self._next_ack += 1
            pkt["id"] = self._next_ack
            self._acks[self._next_ack] = (name, time.perf_counter(), on_ack)
        await self._send(pkt)

    async def move(self) -> None:
        w, h = self.gen.room_size
        for _ in range(4):  # a new point, different from the last
            nx = min(max(self.x + random.randint(-20, 20), 1), w - 1)
            ny = min(max(self.y + random.randint(-20, 20), 1), h - 1)
            if (nx, ny) != (self.x, self.y):
                break
        self.x, self.y = nx, ny
        sent = self.sent
        if len(sent) > 64:
            del sent[next(iter(sent))]
        sent[(nx, ny)] = time.perf_counter()
        self.gen.stats.count["moves_sent"] += 1
        await self.emit("move", {"x": nx, "y": ny}, ack=False)

    async def say(self) -> None:
        await self.emit("say", {"text": f"bench {time.perf_counter():.6f} hello"})

    async def enter(self, room: str) -> None:
        def done(reply: dict[str, Any]) -> None:
            if reply.get("ok"):
                self.gen.seat(self, room)
                # walk on from where the server put me, as a browser does (a walk
                # from the middle would have everyone aim at the same few points)
                for o in reply["room"]["occupants"]:
                    if o["id"] == self.id:
                        self.x, self.y = o["x"], o["y"]
                        break
        await self.emit("enter", {"room": room}, done)

    # --- receiving -------------------------------------------------------------

    def _on_message(self, opcode: int, data: bytes | str) -> None:
        """Called by the connection for each message as it arrives: what is only
        counted is counted here, without a task switch; the rest goes to `_read`."""
        if opcode == BINARY:
            key = self._counted.get(event_name(data))  # type: ignore[arg-type]
            if key is not None:
                self.gen.stats.count[key] += 1
                return
        self._inbox.put_nowait((opcode, data))

    def _on_close(self) -> None:
        self._inbox.put_nowait(None)

    async def _read(self) -> None:
        stats = self.gen.stats
        try:
            while (item := await self._inbox.get()) is not None:
                _, data = item
                if isinstance(data, str):
                    await self._engineio(data)
                    continue
                if not self.welcomed.is_set() and self.role != "host" and not self.full_welcome:
                    # only my id and room: decoding a welcome that lists thousands
                    # was most of the generator's work while connecting
                    mine = peek_welcome(data)
                    if mine is not None:
                        stats.count["recv:welcome"] += 1
                        stats.count["bytes:welcome"] += len(data)
                        self._welcomed(*mine)
                        continue
                await self._packet(msgpack.unpackb(data, strict_map_key=False))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            stats.error(f"reader:{type(exc).__name__}")
        if not self.closing:
            stats.disconnects += 1
            self.gen.unseat(self)

    def _welcomed(self, me: str, room: str) -> None:
        self.id = me
        self.room = room
        self.gen.by_id[me] = self
        self.welcomed.set()

    async def _engineio(self, text: str) -> None:
        kind = text[:1]
        if kind == "0":  # OPEN: now connect the default namespace with our token
            # compact: `room:changes` a tick instead of room:joined/left each (docs/protocol.md)
            await self._send({"type": CONNECT, "nsp": "/",
                              "data": {"token": self.token, "compact": True}})
        elif kind == "2":  # PING from the server
            assert self.ws is not None
            self.ws.send_str("3")
        elif kind == "1":
            self.gen.stats.count["eio_close"] += 1

    async def _packet(self, pkt: dict[str, Any]) -> None:
        kind = pkt.get("type")
        stats = self.gen.stats
        if kind == EVENT:
            data = pkt.get("data") or [None]
            await self._event(data[0], data[1] if len(data) > 1 else None)
        elif kind == ACK:
            entry = self._acks.pop(pkt.get("id", -1), None)
            if entry is None:
                stats.error("stray_ack")
                return
            name, t0, callback = entry
            reply = (pkt.get("data") or [{}])[0]
            if stats.measuring:
                stats.ack_ms.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
            if reply.get("ok"):
                stats.count[f"ack_ok:{name}"] += 1
            else:
                err = reply.get("error", {})
                code = err.get("code", "?")
                if code == "bad_request" and "unknown request" in err.get("message", ""):
                    stats.count[f"unknown_request:{name}"] += 1
                elif code in ("room_full", "room_closed", "rate_limited", "conflict"):
                    stats.count[f"refused:{name}:{code}"] += 1  # legitimate domain answers
                else:
                    stats.error(f"ack:{name}:{code}")
            if callback is not None:
                callback(reply)
        elif kind == CONNECT:
            stats.count["sio_connected"] += 1
        elif kind == CONNECT_ERROR:
            stats.error(f"connect_error:{(pkt.get('data') or {}).get('code')}")
            if self.ws is not None:
                await self.ws.close()
        elif kind == DISCONNECT:
            stats.count["server_disconnect"] += 1

    async def _event(self, name: str, data: Any) -> None:
        stats = self.gen.stats
        stats.count[f"recv:{name}"] += 1
        if name == "positions":
            if self.observer and stats.measuring:
                now = time.perf_counter()
                sims = self.gen.by_id
                for pid, x, y in data["p"]:
                    if pid == self.id:
                        continue
                    sender = sims.get(pid)
                    t0 = sender.sent.get((x, y)) if sender is not None else None
                    if t0 is not None:
                        ms = (now - t0) * 1000
                        stats.move_ms.append(ms)
                        second = int(now - stats.t0)
                        if ms > stats.worst_by_s.get(second, 0.0):
                            stats.worst_by_s[second] = ms
        elif name == "chat":
            if self.observer and stats.measuring and data.get("from") != self.id:
                m = _STAMP.match(data.get("text", ""))
                if m:
                    sent = float(m.group(1))
                    stats.chat_ms.append((time.perf_counter() - sent) * 1000)
                    stats.chat_sent.append(sent)
        elif name == "welcome":
            self.welcome = data
            self._welcomed(data["me"]["id"], data["room"]["room"]["id"])
        elif name == "moved":
            self.gen.seat(self, data["room"]["room"]["id"])
        elif name == "card:requested":
            await self.emit("card:respond", {"request": data["request"], "accept": True})
        elif name == "error":
            stats.error(f"event:{data.get('request')}:{data.get('code')}")
        elif name in ("kicked", "replaced"):
            stats.error(name)
