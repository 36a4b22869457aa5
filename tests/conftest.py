"""Fixtures shared by the server tiers: a real server on port 0, real clients, real SQLite."""

from __future__ import annotations

import asyncio
import contextlib
import os
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web

from server.app import create_app
from server.config import Config, load

if os.environ.get("KOHTAAMO_TEST_LOOP") == "uvloop":
    def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[
            str, Callable[[], asyncio.AbstractEventLoop]]:
        """`KOHTAAMO_TEST_LOOP=uvloop`: every async test on uvloop, as `kohtaamo serve` runs
        (`[tuning] uvloop`); the in-process servers of the tests use asyncio's loop otherwise."""
        import uvloop

        return {"uvloop": uvloop.new_event_loop}


TEST_CONFIG = """
[server]
tick_hz = 10
presence_hz = 2
grace_seconds = {grace}
room_size = [1000, 1000]
max_payload = 65536

[limits]
move = {{ burst = 400, per_second = 400 }}

[media]
{media}

[[events]]
slug = "testfair"
title = "Test fair"
description = "A fair for tests"

[[events.rooms]]
title = "Työllisyys"
theme = "Employment"
capacity = 3

[[events.rooms]]
title = "Kielet"
theme = "Languages"

[[events.rooms]]
title = "Nuoret"
theme = "Youth"
"""


def write_config(folder: Path, grace: float = 5, extra: str = "",
                 media: str = "enabled = false") -> Path:
    """The test fair; media is off unless `media` says otherwise (a Janus each)."""
    path = folder / "config.toml"
    text = TEST_CONFIG.format(grace=grace, media=textwrap.dedent(media))
    path.write_text(text + textwrap.dedent(extra), encoding="utf-8")
    return path


class Recorder:
    """Every event a client receives, with a condition to wait on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self._changed = asyncio.Condition()

    async def record(self, name: str, data: Any) -> None:
        async with self._changed:
            self.events.append((name, data))
            self._changed.notify_all()

    def of(self, name: str) -> list[Any]:
        return [data for n, data in self.events if n == name]

    async def wait_for(
        self, name: str, predicate: Callable[[Any], bool] = lambda _: True,
        timeout: float = 5.0,
    ) -> Any:
        """The first event `name` whose data satisfies `predicate`, waiting up to `timeout`."""
        def found() -> Any:
            for n, data in self.events:
                if n == name and predicate(data):
                    return (data,)
            return None

        async with self._changed:
            hit = await asyncio.wait_for(self._changed.wait_for(found), timeout)
        return hit[0]


class Person:
    """A joined person with a live msgpack Socket.IO client."""

    def __init__(self, server: Server, token: str, person: dict[str, Any]) -> None:
        self.server = server
        self.token = token
        self.id: str = person["id"]
        self.person = person
        self.sio: socketio.AsyncClient | None = None
        self.seen = Recorder()

    async def connect(self, wait_welcome: bool = True, **auth: Any) -> dict[str, Any] | None:
        """Connect (with `auth` added to the token, e.g. `compact=True`); the welcome."""
        self.sio = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        seen = self.seen

        async def any_event(name: str, data: Any = None) -> None:
            await seen.record(name, data)

        async def on_disconnect(reason: Any = None) -> None:
            await seen.record("disconnect", reason)

        self.sio.on("*", any_event)
        self.sio.on("disconnect", on_disconnect)
        welcomes = len(self.seen.of("welcome"))
        await self.sio.connect(
            self.server.url, auth={"token": self.token, **auth}, transports=["websocket"],
            wait_timeout=5,
        )
        if wait_welcome:
            await self.seen.wait_for("welcome", lambda _: len(self.seen.of("welcome")) > welcomes)
            return self.seen.of("welcome")[-1]  # type: ignore[no-any-return]
        return None

    async def welcome(self) -> dict[str, Any]:
        return await self.seen.wait_for("welcome")  # type: ignore[no-any-return]

    async def call(self, event: str, payload: Any = None, timeout: float = 5) -> Any:
        assert self.sio is not None
        return await self.sio.call(event, payload, timeout=timeout)

    async def emit(self, event: str, payload: Any = None) -> None:
        assert self.sio is not None
        await self.sio.emit(event, payload)

    async def close(self) -> None:
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()


class Server:
    def __init__(self, url: str, app: web.Application, http: aiohttp.ClientSession) -> None:
        self.url = url
        self.app = app
        self.http = http
        self.people: list[Person] = []

    async def join(self, name: str = "Aino", slug: str = "testfair", **fields: Any) -> Person:
        async with self.http.post(
            f"{self.url}/api/events/{slug}/join", json={"name": name, **fields}
        ) as resp:
            assert resp.status == 201, await resp.text()
            body = await resp.json()
        person = Person(self, body["token"], body["person"])
        self.people.append(person)
        return person

    async def staff(self, role: str, name: str = "Staff", slug: str = "testfair") -> Person:
        """A host or moderator created as `kohtaamo staff add` does (not yet connected)."""
        from rooms.model import Role
        from rooms.profile import Profile

        token, person = await self.world().add_person(slug, Role(role), Profile(name=name))
        member = Person(self, token, person.wire())
        self.people.append(member)
        return member

    async def connected(self, name: str = "Aino", **fields: Any) -> Person:
        person = await self.join(name, **fields)
        await person.connect()
        return person

    def world(self) -> Any:
        from server.keys import WORLD

        return self.app[WORLD]


@contextlib.asynccontextmanager
async def running(config: Config) -> AsyncIterator[Server]:
    app = create_app(config)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        server = Server(f"http://127.0.0.1:{port}", app, http)
        try:
            yield server
        finally:
            for person in server.people:
                with contextlib.suppress(Exception):
                    await person.close()
            await runner.cleanup()


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
async def server(tmp_path: Path, config_path: Path) -> AsyncIterator[Server]:
    config = load(config_path, database=tmp_path / "kohtaamo.db")
    async with running(config) as srv:
        yield srv
