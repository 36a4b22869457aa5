"""Restarts and shutdown (contract v1.1): SIGTERM with people connected closes every
transport and exits 0 within shutdown_seconds; people come back to their seats."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from server.config import ConfigError, load
from tests.conftest import Recorder, running, write_config
from tests.server.process import serve

SHUTDOWN_SECONDS = 5


class Reconnecting:
    """A python-socketio client that reconnects by itself, as a browser's does."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.seen = Recorder()
        self.sio = socketio.AsyncClient(serializer="msgpack", reconnection=True,
                                        reconnection_delay=0.2, reconnection_delay_max=1)

        async def any_event(name: str, data: Any = None) -> None:
            await self.seen.record(name, data)

        async def on_disconnect(reason: Any = None) -> None:
            await self.seen.record("disconnect", reason)

        self.sio.on("*", any_event)
        self.sio.on("disconnect", on_disconnect)

    async def connect(self) -> dict[str, Any]:
        await self.sio.connect(self.url, auth={"token": self.token},
                               transports=["websocket"], wait_timeout=5)
        return await self.welcomes(1)

    async def welcomes(self, n: int, timeout: float = 20) -> dict[str, Any]:
        """The n-th welcome, waiting for it."""
        await self.seen.wait_for("welcome", lambda _: len(self.seen.of("welcome")) >= n,
                                 timeout=timeout)
        return self.seen.of("welcome")[n - 1]  # type: ignore[no-any-return]


async def join(http: aiohttp.ClientSession, url: str, name: str) -> dict[str, Any]:
    async with http.post(f"{url}/api/events/testfair/join", json={"name": name}) as resp:
        assert resp.status == 201
        return await resp.json()  # type: ignore[no-any-return]


def occupant(welcome: dict[str, Any], person: str) -> tuple[int, int] | None:
    for o in welcome["room"]["occupants"]:
        if o["id"] == person:
            return o["x"], o["y"]
    return None


async def test_sigterm_closes_transports_and_people_come_back_seated(tmp_path: Path) -> None:
    """SIGTERM with people at a table: exit 0 within shutdown_seconds, clients see a
    transport close (not a server disconnect), reconnect by themselves to the server
    started again on the same port and database, and sit where they sat."""
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[server]\n", f"[server]\nshutdown_seconds = {SHUTDOWN_SECONDS}\n", 1), encoding="utf-8")
    db = tmp_path / "k.db"
    clients: list[Reconnecting] = []
    try:
        async with serve(config, db) as (url, proc), aiohttp.ClientSession() as http:
            joined = [await join(http, url, name) for name in ("Aino", "Bert")]
            clients = [Reconnecting(url, j["token"]) for j in joined]
            first = [await c.connect() for c in clients]
            table = next(r["id"] for r in first[0]["rooms"] if r["kind"] == "table")
            for client in clients:
                assert (await client.sio.call("enter", {"room": table}, timeout=5))["ok"]
            await clients[0].sio.emit("move", {"x": 111, "y": 222})
            aino = joined[0]["person"]["id"]
            await clients[1].seen.wait_for(
                "positions", lambda p: [aino, 111, 222] in p["p"])
            port = int(url.rsplit(":", 1)[1])
            proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(SHUTDOWN_SECONDS + 1):  # the contract's bound
                assert await proc.wait() == 0
            for client in clients:
                # python-socketio's name for a transport that closed under it;
                # a Socket.IO DISCONNECT would be SERVER_DISCONNECT (no reconnect)
                reason = await client.seen.wait_for("disconnect")
                assert reason == socketio.AsyncClient.reason.TRANSPORT_ERROR
        async with serve(config, db, port=port) as (_url, _proc):
            again = [await c.welcomes(2) for c in clients]
            for welcome in again:
                assert welcome["room"]["room"]["id"] == table
                assert occupant(welcome, aino) == (111, 222)
            assert again[0]["me"]["room"] == table
    finally:
        for client in clients:
            await client.sio.disconnect()


async def test_seats_survive_a_restart_and_nobody_hears_of_it(tmp_path: Path) -> None:
    """After a restart on the same database people are in grace at their table and
    spot; one who comes back resumes there unannounced, one who does not leaves after
    grace; a line typed for another room is refused with moved."""
    config = load(write_config(tmp_path, grace=3), database=tmp_path / "kohtaamo.db")
    async with running(config) as server:
        anna, bert, cecilia = [await server.connected(n) for n in ("Anna", "Bert", "Cecilia")]
        welcome = await anna.welcome()
        t1, t2 = [r["id"] for r in welcome["rooms"] if r["kind"] == "table"][:2]
        for person in (anna, bert):
            assert (await person.call("enter", {"room": t1}))["ok"]
        assert (await cecilia.call("enter", {"room": t2}))["ok"]
        await anna.emit("move", {"x": 300, "y": 400})
        await bert.seen.wait_for("positions", lambda p: [anna.id, 300, 400] in p["p"])

    async with running(config) as server:
        event = server.world().event("testfair")
        assert event.rooms[t1].occupants[anna.id] == (300, 400)
        assert event.people[cecilia.id].room == t2
        assert not any(p.connected for p in event.people.values())
        for person in (anna, bert):
            person.server, person.seen = server, Recorder()
            server.people.append(person)
        seen_by_bert = await bert.connect()
        assert seen_by_bert is not None
        assert seen_by_bert["room"]["room"]["id"] == t1
        assert occupant(seen_by_bert, anna.id) == (300, 400)
        assert {anna.id, cecilia.id} <= {p["id"] for p in seen_by_bert["people"]}
        back = await anna.connect()
        assert back is not None and back["room"]["room"]["id"] == t1
        assert back["me"]["room"] == t1 and occupant(back, anna.id) == (300, 400)

        refused = await anna.call("say", {"text": "väärä pöytä", "room": t2})
        assert refused["error"]["code"] == "moved"
        assert (await anna.call("say", {"text": "hei taas", "room": t1}))["ok"]
        await bert.seen.wait_for("chat", lambda m: m["text"] == "hei taas")
        assert [m["text"] for m in bert.seen.of("chat")] == ["hei taas"]
        assert not bert.seen.of("room:joined") and not [
            m for m in bert.seen.of("room:left") if m["person"] == anna.id]

        gone = await bert.seen.wait_for("presence", lambda p: cecilia.id in p["gone"],
                                        timeout=10)
        assert anna.id not in gone["gone"]
        assert event.people[cecilia.id].room is None


async def test_say_typed_for_a_room_one_left_is_refused(tmp_path: Path) -> None:
    """say with the room one just left gets moved (an ack error) and reaches nobody."""
    config = load(write_config(tmp_path), database=tmp_path / "kohtaamo.db")
    async with running(config) as server:
        anna, bert = await server.connected("Anna"), await server.connected("Bert")
        welcome = await anna.welcome()
        lobby = welcome["event"]["lobby"]
        table = next(r["id"] for r in welcome["rooms"] if r["kind"] == "table")
        assert (await anna.call("enter", {"room": table}))["ok"]
        reply = await anna.call("say", {"text": "hei aula", "room": lobby})
        assert reply["ok"] is False and reply["error"]["code"] == "moved"
        bad = await anna.call("say", {"text": "hei", "room": 7})
        assert bad["error"]["code"] == "bad_request"
        assert (await bert.call("say", {"text": "aulassa", "room": lobby}))["ok"]
        await bert.seen.wait_for("chat", lambda m: m["text"] == "aulassa")
        assert [m["text"] for m in bert.seen.of("chat")] == ["aulassa"]


async def test_heartbeat_and_shutdown_settings(tmp_path: Path) -> None:
    """shutdown_seconds, ping_interval and ping_timeout are read and checked; clients
    are told the heartbeat (5 s and 5 s by default)."""
    path = write_config(tmp_path)
    config = load(path, database=tmp_path / "kohtaamo.db")
    assert (config.shutdown_seconds, config.ping_interval, config.ping_timeout) == (5, 5, 5)
    async with running(config) as server:
        anna = await server.connected("Anna")
        assert anna.sio is not None
        assert (anna.sio.eio.ping_interval, anna.sio.eio.ping_timeout) == (5, 5)
    text = path.read_text(encoding="utf-8")
    for line in ("ping_interval = 2.5", "ping_timeout = 0", "shutdown_seconds = -1",
                 'shutdown_seconds = "5"', "ping_interval = true"):
        path.write_text(text.replace("[server]\n", f"[server]\n{line}\n", 1), encoding="utf-8")
        with pytest.raises(ConfigError):
            load(path)
    path.write_text(text.replace("[server]\n", "[server]\nping_interval = 2\n"
                                 "ping_timeout = 3\nshutdown_seconds = 1.5\n", 1),
                    encoding="utf-8")
    changed = load(path)
    assert (changed.shutdown_seconds, changed.ping_interval, changed.ping_timeout) == (
        1.5, 2, 3)
