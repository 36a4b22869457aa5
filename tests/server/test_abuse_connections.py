"""What a connection may cost (issue 10, points 8, 9, 11): no long-polling, a deadline
for the Socket.IO CONNECT, a cap per client address, a cap on bytes waiting for a
slow reader, and a budget of bad requests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from server.config import load
from server.keys import SIO
from tests.conftest import running
from tests.server.raw import CONNECT_ERROR, EVENT, RawSocket, config_with, ws_url


async def _until(condition: object, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def test_long_polling_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A polling handshake, and a POST to a polling session, get 400 and no traceback."""
    async with running(load(config_with(tmp_path), database=tmp_path / "k.db")) as srv:
        base = f"{srv.url}/socket.io/?EIO=4&transport=polling"
        async with srv.http.get(base) as resp:
            assert resp.status == 400
        async with srv.http.post(base + "&sid=abc", data=b"40") as resp:
            assert resp.status == 400
        assert not srv.app[SIO].eio.sockets
    assert not [r for r in caplog.records if r.exc_info]


async def test_connections_that_do_not_authenticate_are_closed(tmp_path: Path) -> None:
    """A WebSocket that answers pings but never sends CONNECT, and one whose CONNECT was
    refused and stays, are closed after `connect_timeout`; a connected one stays."""
    path = config_with(tmp_path, server="connect_timeout = 0.5")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        person = await srv.join("Anna")
        silent, refused, good = [await RawSocket.open(srv) for _ in range(3)]
        try:
            assert (await refused.connect("x" * 40))["type"] == CONNECT_ERROR
            await good.connect(person.token)
            assert await silent.closed(timeout=5)
            assert await refused.closed(timeout=5)
            await good.next(lambda p: p["type"] == EVENT and p["data"][0] == "welcome")
            assert not await good.closed(timeout=1)
            assert len(srv.app[SIO].eio.sockets) == 1
        finally:
            for raw in (silent, refused, good):
                await raw.close()


async def test_connections_per_address_are_capped(tmp_path: Path) -> None:
    """Past `max_connections_per_address` open at once, the next is refused 429; once
    one closes, a new one is let in."""
    path = config_with(tmp_path, server="max_connections_per_address = 3")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        sockets = [await RawSocket.open(srv) for _ in range(3)]
        try:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await srv.http.ws_connect(ws_url(srv))
            assert refused.value.status == 429
            async with srv.http.get(f"{srv.url}/api/events/testfair") as resp:
                assert resp.status == 200  # the rest of the site is not counted
            await sockets.pop().close()

            async def reopened() -> RawSocket | None:
                try:
                    return await RawSocket.open(srv)
                except aiohttp.WSServerHandshakeError:
                    return None

            async with asyncio.timeout(5):
                while (again := await reopened()) is None:
                    await asyncio.sleep(0.05)
            sockets.append(again)
        finally:
            for raw in sockets:
                await raw.close()


async def test_a_slow_reader_is_closed_and_counted(tmp_path: Path) -> None:
    """A client that stops reading while its room's chat flows is closed once what waits
    for it passes `max_queued_bytes`; the counter rises and the others hear on."""
    path = config_with(tmp_path, server="max_queued_bytes = 65536",
                       limits="chat = { burst = 100000, per_second = 100000 }")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        sio = srv.app[SIO]
        talker, listener = await srv.connected("Talker"), await srv.connected("Listener")
        sleeper = await srv.join("Sleeper")
        raw = await RawSocket.open(srv, rcvbuf=4096)
        try:
            await raw.connect(sleeper.token)
            await raw.next(lambda p: p["type"] == EVENT and p["data"][0] == "welcome")
            await raw.ws.send_str("3")  # a blind pong; from here on it reads nothing
            event = srv.world().event("testfair")
            line = "z" * 990
            for i in range(20_000):
                await talker.emit("say", {"text": f"{i} {line}"})
                if i % 50 == 49:
                    assert (await talker.call("say", {"text": f"sync {i}"}))["ok"]
                    if not event.people[sleeper.id].connected:
                        break
            await _until(lambda: not event.people[sleeper.id].connected)
            assert sio.slow_readers.closed == 1
            last = f"after {i}"
            assert (await talker.call("say", {"text": last}))["ok"]
            await listener.seen.wait_for("chat", lambda m: m["text"] == last, timeout=10)
            assert event.people[listener.id].connected and event.people[talker.id].connected
            async with srv.http.get(f"{srv.url}/metrics") as resp:
                assert "kohtaamo_slow_readers_closed_total 1" in await resp.text()
        finally:
            await raw.close()


async def test_a_flood_of_bad_requests_ends_the_connection(tmp_path: Path) -> None:
    """A client that keeps sending unknown events past `[limits] violations` is told
    `rate_limited` and disconnected; a well-behaved one is untouched."""
    path = config_with(tmp_path, limits="violations = { burst = 50, per_second = 5 }")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        good, bad = await srv.connected("Good"), await srv.join("Bad")
        raw = await RawSocket.open(srv)
        try:
            await raw.connect(bad.token)
            for _ in range(200):
                await raw.emit("no-such-request", {})
            assert await raw.closed(timeout=10)
            assert {"code": "rate_limited", "request": "no-such-request",
                    "message": "too many bad or too fast requests"} in raw.events("error")
            assert not srv.world().event("testfair").people[bad.id].connected
            assert (await good.call("say", {"text": "fine"}))["ok"]
        finally:
            await raw.close()


async def test_a_flood_of_moves_ends_the_connection(tmp_path: Path) -> None:
    """Moves far above the move rate spend the budget too: the connection is ended."""
    path = config_with(tmp_path, limits="violations = { burst = 50, per_second = 5 }\n"
                                        "move = { burst = 5, per_second = 5 }")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        mover = await srv.join("Mover")
        raw = await RawSocket.open(srv)
        try:
            await raw.connect(mover.token)
            await raw.next(lambda p: p["type"] == EVENT and p["data"][0] == "welcome")
            for i in range(500):
                await raw.emit("move", {"x": i % 1000, "y": 5})
            assert await raw.closed(timeout=10)
            assert not srv.world().event("testfair").people[mover.id].connected
        finally:
            await raw.close()
