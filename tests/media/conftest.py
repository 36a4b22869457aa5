"""A real Janus per test, started from the Debian package by Kohtaamo's own manager,
and the engine over it with every event it puts out recorded."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from server.media.janus_engine import JanusEngine
from server.media.janus_relay import RelayEngine
from server.media.managed import ManagedJanus, ManagedSettings, free_port
from server.media.pool import PoolEngine
from server.media.port import MediaEvent, MediaPort


def settings() -> ManagedSettings:
    # a narrow port range of its own per test, so parallel Janus processes do not collide
    low = free_port() // 2 * 2
    return ManagedSettings(rtp_ports=(low, min(low + 99, 65535)), session_timeout=20)


@pytest.fixture
async def janus(tmp_path: Path) -> AsyncIterator[ManagedJanus]:
    """A started managed Janus (fails, never skips, when `janus` is not installed)."""
    managed = ManagedJanus(tmp_path / "janus", settings())
    await managed.start()
    yield managed
    await managed.stop()


class Events:
    """Everything the engine put out, with a condition to wait on."""

    def __init__(self, engine: MediaPort) -> None:
        self.engine = engine
        self.seen: list[MediaEvent] = []
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            event = await self.engine.next_event()
            async with self._changed:
                self.seen.append(event)
                self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[Any], bool], timeout: float = 10.0) -> Any:
        """The first event (of all seen) satisfying `predicate`, waiting up to `timeout`."""
        found: list[Any] = []

        def check() -> bool:
            found[:] = [e for e in self.seen if predicate(e)][:1]
            return bool(found)

        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(check)
        return found[0]

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[tuple[JanusEngine, Events]]:
    """A started JanusEngine over its own managed Janus, and its recorded events."""
    managed = ManagedJanus(tmp_path / "janus", settings())
    engine = JanusEngine(managed, managed=managed, keepalive=5)
    await engine.start()
    events = Events(engine)
    yield engine, events
    await events.close()
    await engine.stop()


@pytest.fixture
async def pool(tmp_path: Path) -> AsyncIterator[tuple[PoolEngine, Events]]:
    """A started pool over two managed Janus processes (each its own ports), and its
    recorded events."""
    members = []
    for name in ("janus-a", "janus-b"):
        managed = ManagedJanus(tmp_path / name, settings())
        members.append(RelayEngine(managed, managed=managed, keepalive=5))
    engine = PoolEngine(members, retry=0.2)
    await engine.start()
    events = Events(engine)
    yield engine, events
    await events.close()
    await engine.stop()
