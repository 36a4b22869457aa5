"""The generator's WebSocket client parses what a server sends however the bytes are
cut, answers pings and closes, and inflates permessage-deflate; it speaks to a real
aiohttp server end to end."""

from __future__ import annotations

import asyncio
import struct
import zlib
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench.wsclient import BINARY, TEXT, WebSocket, encode_frame


class Wire:
    """A transport that keeps what the client writes."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.out.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True


def server_frame(opcode: int, payload: bytes, fin: bool = True, rsv1: bool = False) -> bytes:
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        return bytes((b0, n)) + payload
    if n < 65536:
        return bytes((b0, 126)) + struct.pack("!H", n) + payload
    return bytes((b0, 127)) + struct.pack("!Q", n) + payload


def unmask(frame: bytes) -> tuple[int, bytes]:
    """(opcode, payload) of one client frame."""
    n, at = frame[1] & 0x7F, 2
    if n == 126:
        n, at = struct.unpack_from("!H", frame, 2)[0], 4
    key, body = frame[at:at + 4], frame[at + 4:at + 4 + n]
    return frame[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


async def opened(deflate: bool = False) -> tuple[WebSocket, Wire, list[Any], list[str]]:
    got: list[Any] = []
    ends: list[str] = []
    ws = WebSocket(lambda op, data: got.append((op, data)), lambda: ends.append("end"), deflate)
    wire = Wire()
    ws.connection_made(wire)  # type: ignore[arg-type]
    ws._handshaking = False
    return ws, wire, got, ends


async def test_frames_cut_anywhere_arrive_whole_and_in_order() -> None:
    """Messages split across reads, several in one read, 16- and 64-bit lengths and a
    fragmented message all arrive whole, in order."""
    ws, _, got, _ = await opened()
    big, huge = b"x" * 300, b"y" * 70_000
    stream = (server_frame(BINARY, b"\x01\x02") + server_frame(TEXT, b"2")
              + server_frame(BINARY, big) + server_frame(BINARY, huge)
              + server_frame(TEXT, b"he", fin=False) + server_frame(0, b"llo"))
    for i in range(0, len(stream), 7):
        ws.data_received(stream[i:i + 7])
    assert got == [(BINARY, b"\x01\x02"), (TEXT, "2"), (BINARY, big), (BINARY, huge),
                   (TEXT, "hello")]


async def test_pings_are_answered_and_a_close_is_returned_once() -> None:
    """A ping gets its pong; a close frame is echoed, the connection ends once."""
    ws, wire, _, ends = await opened()
    ws.data_received(server_frame(0x9, b"hi") + server_frame(0x8, struct.pack("!H", 1000)))
    assert [unmask(f) for f in wire.out] == [(0xA, b"hi"), (0x8, struct.pack("!H", 1000))]
    assert ws.closed and wire.closed and ends == ["end"] and ws.close_code == 1000
    await ws.close()
    assert ends == ["end"]


async def test_compressed_messages_are_inflated_with_context_kept() -> None:
    """permessage-deflate with context takeover: each message inflates on the last."""
    ws, _, got, _ = await opened(deflate=True)
    ws._accept("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: "
               + _accept_key(ws) + "\r\nSec-WebSocket-Extensions: permessage-deflate")
    deflater = zlib.compressobj(wbits=-15)
    for text in (b"hello hello", b"hello again"):
        body = deflater.compress(text) + deflater.flush(zlib.Z_SYNC_FLUSH)
        ws.data_received(server_frame(BINARY, body[:-4], rsv1=True))
    assert got == [(BINARY, b"hello hello"), (BINARY, b"hello again")]


def test_client_frames_are_masked() -> None:
    """What the client sends is masked, as RFC 6455 requires, and unmasks to itself."""
    for payload in (b"", b"abc", b"z" * 200):
        frame = encode_frame(BINARY, payload)
        assert frame[1] & 0x80
        assert unmask(frame) == (BINARY, payload)


async def test_talks_to_a_real_websocket_server() -> None:
    """Handshake (deflate offered, refused), echo both ways, close from the client."""
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.BINARY:
                await ws.send_bytes(msg.data[::-1])
            elif msg.type is aiohttp.WSMsgType.TEXT:
                await ws.send_str(msg.data.upper())
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    async with TestServer(app, host="127.0.0.1") as server:
        got: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
        ends: list[str] = []
        ws = await WebSocket.connect(f"ws://127.0.0.1:{server.port}/ws",
                                     lambda op, d: got.put_nowait((op, d)),
                                     lambda: ends.append("end"), deflate=True, timeout=10)
        ws.send_bytes(b"abc")
        ws.send_str("hi")
        assert await asyncio.wait_for(got.get(), 10) == (BINARY, b"cba")
        assert await asyncio.wait_for(got.get(), 10) == (TEXT, "HI")
        await ws.close()
        assert ws.closed and ends == ["end"]


def _accept_key(ws: WebSocket) -> str:
    import base64
    import hashlib
    return base64.b64encode(hashlib.sha1(
        ws._key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()).decode()
