"""A hand-driven Engine.IO v4 / Socket.IO v5 (msgpack) client over aiohttp's WebSocket,
for tests that must misbehave where python-socketio's client would not: never send
CONNECT, ignore a DISCONNECT, or stop reading."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path
from typing import Any

import aiohttp
import msgpack

from tests.conftest import Server, write_config

CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = 0, 1, 2, 3, 4


def config_with(folder: Path, server: str = "", limits: str = "") -> Path:
    """The test config with `server` lines added to its [server] table and `limits`
    lines to its [limits] table (its `move` line replaced when `limits` has one)."""
    path = write_config(folder)
    text = path.read_text(encoding="utf-8").replace("[server]\n", f"[server]\n{server}\n", 1)
    move = "move = { burst = 400, per_second = 400 }\n"
    assert move in text
    kept = "" if "move =" in limits else move
    text = text.replace(move, kept + limits + "\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def ws_url(server: Server) -> str:
    return server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"


class RawSocket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, http: aiohttp.ClientSession) -> None:
        self.ws = ws
        self.http = http
        self.packets: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, server: Server, rcvbuf: int | None = None) -> RawSocket:
        """Open a WebSocket and read Engine.IO's OPEN. With `rcvbuf`, the socket's kernel
        receive buffer is that small, so a reader that stops reading stalls the server soon."""
        def small(addr_info: Any) -> socket.socket:
            family, type_, proto, _, _ = addr_info
            sock = socket.socket(family=family, type=type_, proto=proto)
            if rcvbuf is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            return sock

        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=small))
        try:
            ws = await http.ws_connect(ws_url(server), max_msg_size=0)
            opened = await ws.receive(timeout=5)
        except BaseException:
            await http.close()
            raise
        assert opened.type == aiohttp.WSMsgType.TEXT and opened.data.startswith("0{")
        return cls(ws, http)

    async def send(self, packet: dict[str, Any]) -> None:
        await self.ws.send_bytes(msgpack.dumps(packet))

    async def emit(self, name: str, *args: Any, ack: int | None = None) -> None:
        packet: dict[str, Any] = {"type": EVENT, "nsp": "/", "data": [name, *args]}
        if ack is not None:
            packet["id"] = ack
        await self.send(packet)

    async def connect(self, token: str) -> dict[str, Any]:
        """Send CONNECT with the token; the CONNECT (or CONNECT_ERROR) answer."""
        await self.send({"type": CONNECT, "nsp": "/", "data": {"token": token}})
        return await self.next(lambda p: p["type"] in (CONNECT, CONNECT_ERROR))

    async def read(self, timeout: float = 5) -> dict[str, Any] | None:
        """The next Socket.IO packet (answering pings on the way); None once closed."""
        while True:
            msg = await self.ws.receive(timeout=timeout)
            if msg.type == aiohttp.WSMsgType.TEXT:
                if msg.data == "2":
                    await self.ws.send_str("3")
                continue
            if msg.type == aiohttp.WSMsgType.BINARY:
                packet: dict[str, Any] = msgpack.loads(msg.data)
                self.packets.append(packet)
                return packet
            return None  # CLOSE, CLOSING, CLOSED, ERROR

    async def next(self, predicate: Any, timeout: float = 5) -> dict[str, Any]:
        """The first packet (seen or to come) that satisfies `predicate`."""
        async with asyncio.timeout(timeout):
            for packet in self.packets:
                if predicate(packet):
                    return packet
            while True:
                packet_or_none = await self.read(timeout)
                assert packet_or_none is not None, "closed while waiting"
                if predicate(packet_or_none):
                    return packet_or_none

    async def closed(self, timeout: float = 5) -> bool:
        """Read until the server closes the connection (True), or `timeout` passes."""
        try:
            async with asyncio.timeout(timeout):
                while await self.read(timeout) is not None:
                    pass
        except TimeoutError:
            return False
        return True

    def events(self, name: str) -> list[Any]:
        return [p["data"][1] if len(p["data"]) > 1 else None for p in self.packets
                if p["type"] == EVENT and p["data"][0] == name]

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        await self.http.close()
