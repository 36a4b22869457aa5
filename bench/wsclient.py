"""A minimal WebSocket client (RFC 6455, with RFC 7692 permessage-deflate) for the
load generator: one asyncio Protocol per connection that hands every message to
a callback from `data_received`, as it arrives.

Why not aiohttp's client: it queues each message and wakes the reading task for
it (a future, a task step and two coroutine frames per frame), which was most of
the generator's CPU; thousands of simulated people receiving a `positions` each
a tick saturated its core near 5,000 people. Here a message the caller only
counts costs a header parse and a dict lookup, with no task switch.

What a browser does is kept: the handshake offers permessage-deflate (the server
decides), frames from the client are masked with a fresh key, pings are answered.
Loopback only, as the generator is.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import random
import struct
import urllib.parse
import zlib
from collections.abc import Callable
from typing import cast

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_DEFLATE_TAIL = b"\x00\x00\xff\xff"
_LEN16, _LEN64 = struct.Struct("!H"), struct.Struct("!Q")

#: (opcode, payload) of each whole message: TEXT as str, BINARY as bytes
OnMessage = Callable[[int, "bytes | str"], None]


class HandshakeError(ConnectionError):
    """The server did not switch protocols."""


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(
        n, "little")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + _LEN16.pack(n)
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + _LEN64.pack(n)
    key = random.getrandbits(32).to_bytes(4, "little")
    return head + key + _mask(payload, key)


class WebSocket(asyncio.Protocol):
    """One client connection; `on_message` is called for each message, in order,
    and `on_close` once when the connection ends (either side)."""

    def __init__(self, on_message: OnMessage, on_close: Callable[[], None],
                 deflate: bool) -> None:
        self.on_message = on_message
        self.on_close = on_close
        self.offer_deflate = deflate
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = False
        self.close_code: int | None = None
        self._key = base64.b64encode(os.urandom(16))
        self._buf = bytearray()
        self._handshaking = True
        self._inflate: zlib._Decompress | None = None
        self._inflate_reset = False  # server_no_context_takeover
        self._parts: list[bytes] = []  # a fragmented message
        self._parts_op = 0
        self._parts_rsv1 = False

    @classmethod
    async def connect(cls, url: str, on_message: OnMessage, on_close: Callable[[], None],
                      deflate: bool = True, timeout: float = 30.0) -> WebSocket:
        u = urllib.parse.urlsplit(url)
        loop = asyncio.get_running_loop()
        proto = cls(on_message, on_close, deflate)
        await asyncio.wait_for(
            loop.create_connection(lambda: proto, u.hostname, u.port or 80), timeout)
        assert proto.transport is not None
        path = u.path + ("?" + u.query if u.query else "")
        lines = [f"GET {path} HTTP/1.1", f"Host: {u.netloc}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {proto._key.decode()}",
                 "Sec-WebSocket-Version: 13"]
        if deflate:  # what browsers offer
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        proto.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            await asyncio.wait_for(asyncio.shield(proto.opened), timeout)
        except BaseException:
            proto.transport.abort()
            raise
        return proto

    # --- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but speak its API
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed:
            self.closed = True
            self.on_close()

    def data_received(self, data: bytes) -> None:
        if self._handshaking:
            self._buf += data
            end = self._buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buf[:end]).decode("latin-1")
            data = bytes(self._buf[end + 4:])
            self._buf.clear()
            self._handshaking = False
            try:
                self._accept(head)
            except HandshakeError as exc:
                self.opened.set_exception(exc)
                assert self.transport is not None
                self.transport.abort()
                return
            self.opened.set_result(None)
        elif self._buf:  # the rest of a frame that came in pieces
            self._buf += data
            data = bytes(self._buf)
            self._buf.clear()
        pos = self._frames(data)
        if pos < len(data) and not self.closed:
            self._buf += data[pos:]

    # --- receiving ---------------------------------------------------------------------

    def _accept(self, head: str) -> None:
        status, *fields = head.split("\r\n")
        if " 101 " not in status + " ":
            raise HandshakeError(status)
        headers = {}
        for line in fields:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        want = base64.b64encode(hashlib.sha1(self._key + _GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != want:
            raise HandshakeError("bad Sec-WebSocket-Accept")
        ext = headers.get("sec-websocket-extensions", "")
        if "permessage-deflate" in ext:
            if not self.offer_deflate:
                raise HandshakeError("deflate accepted but not offered")
            params = {p.strip().split("=")[0] for p in ext.split(";")}
            self._inflate = zlib.decompressobj(-15)
            self._inflate_reset = "server_no_context_takeover" in params

    def _frames(self, data: bytes) -> int:
        """Hand over each whole frame in `data`; how many bytes they took."""
        pos, end = 0, len(data)
        while end - pos >= 2:
            b0, n = data[pos], data[pos + 1]
            if n & 0x80:  # a server never masks
                self._fail(1002)
                return end
            at = pos + 2
            if n == 126:
                if end - at < 2:
                    break
                n = _LEN16.unpack_from(data, at)[0]
                at += 2
            elif n == 127:
                if end - at < 8:
                    break
                n = _LEN64.unpack_from(data, at)[0]
                at += 8
            if end - at < n:
                break
            pos = at + n
            if b0 == 0x82:  # the common case: a whole binary message, not compressed
                self.on_message(BINARY, data[at:pos])
            else:
                self._frame(b0, data[at:pos])
            if self.closed:
                return end
        return pos

    def _frame(self, b0: int, payload: bytes) -> None:
        opcode, fin, rsv1 = b0 & 0x0F, b0 & 0x80, bool(b0 & 0x40)
        if opcode >= 0x8:  # control frames: never fragmented
            if opcode == PING:
                self._write(PONG, payload)
            elif opcode == CLOSE:
                self.close_code = _LEN16.unpack_from(payload)[0] if len(payload) >= 2 else 1005
                if not self.closed:
                    self._write(CLOSE, payload[:2])
                self._end()
            return
        if opcode != 0:  # the first frame of a message
            if not fin:
                self._parts, self._parts_op, self._parts_rsv1 = [payload], opcode, rsv1
                return
        else:  # a continuation
            self._parts.append(payload)
            if not fin:
                return
            payload, opcode, rsv1 = b"".join(self._parts), self._parts_op, self._parts_rsv1
            self._parts = []
        if rsv1:
            if self._inflate is None:
                self._fail(1002)
                return
            payload = self._inflate.decompress(payload + _DEFLATE_TAIL)
            if self._inflate_reset:
                self._inflate = zlib.decompressobj(-15)
        self.on_message(opcode, payload.decode() if opcode == TEXT else payload)

    # --- sending and closing -----------------------------------------------------------

    def _write(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(opcode, payload))

    def send_bytes(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionError("the WebSocket is closed")
        self._write(BINARY, data)

    def send_str(self, text: str) -> None:
        if self.closed:
            raise ConnectionError("the WebSocket is closed")
        self._write(TEXT, text.encode())

    def _fail(self, code: int) -> None:
        self._write(CLOSE, _LEN16.pack(code))
        self._end()

    def _end(self) -> None:
        if self.transport is not None:
            self.transport.close()
        if not self.closed:
            self.closed = True
            self.on_close()

    async def close(self, code: int = 1000) -> None:
        """Send a close frame and drop the connection (the server's answer is not
        awaited); `on_close` is called as for any other end."""
        if not self.closed:
            self._write(CLOSE, _LEN16.pack(code))
            self._end()
