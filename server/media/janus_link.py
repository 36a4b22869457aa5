"""The engine's link to one Janus: connecting, noticing the loss, reconnecting.

`JanusLink` owns the connection, the one session, the queue of media events
and every task it starts; `JanusEngine` (janus_engine.py) adds the videoroom
logic and says what to forget when the link is lost (`_forget_all`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from rooms.errors import BadRequest, KohtaamoError
from server.media.auth import VIDEOROOM, core_token
from server.media.janus import (
    CONNECTION_LOST,
    TIMED_OUT,
    JanusConnection,
    JanusError,
    JanusEvent,
    JanusHandle,
    JanusSession,
    PluginReply,
)
from server.media.port import EngineState, MediaEvent, MediaUnavailable

log = logging.getLogger(__name__)

#: Janus codes that mean the browser's SDP or candidate was at fault.
BAD_INPUT = {464, 465, 466, 469, 431, 437}


class JanusTarget(Protocol):
    """Where a Janus is and its secrets (ManagedJanus is one; ExternalJanus another)."""

    @property
    def url(self) -> str: ...
    @property
    def api_secret(self) -> str: ...
    @property
    def token_secret(self) -> str: ...
    @property
    def admin_key(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class ExternalJanus:
    url: str
    api_secret: str
    token_secret: str
    admin_key: str = ""


def engine_error(exc: JanusError) -> KohtaamoError:
    """A Janus error as the contract's error."""
    if exc.code in BAD_INPUT:
        return BadRequest(f"the media engine refused it: {exc.reason}", field="sdp")
    if exc.code in (CONNECTION_LOST, TIMED_OUT):
        return MediaUnavailable("the media engine cannot be reached")
    return MediaUnavailable(f"the media engine refused it: {exc.reason} ({exc.code})")


class JanusLink:
    """A connection and session to one Janus, kept up. `managed`, if given (a
    ManagedJanus), is started and stopped with it and wakes the reconnect."""

    def __init__(
        self, target: JanusTarget, *, managed: Any = None, keepalive: float = 15.0,
        timeout: float = 10.0, clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target
        self.managed = managed
        self.keepalive = keepalive
        self.timeout = timeout
        self.clock = clock
        self._conn: JanusConnection | None = None
        self._session: JanusSession | None = None
        self._events: asyncio.Queue[MediaEvent] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()
        self._reconnecting: asyncio.Task[None] | None = None
        self._stopping = False

    def _forget_all(self) -> None:
        """The link was lost: drop every call's state (and announce its end)."""

    async def _close_all(self) -> None:
        """Stopping: end every call while the link is still up."""

    @property
    def up(self) -> bool:
        return self._session is not None

    async def start(self) -> None:
        self._stopping = False
        if self.managed is not None:
            self.managed.on_restart = self.reconnect_now
            await self.managed.start()
        try:
            await self._connect()
        except (JanusError, OSError) as exc:
            raise MediaUnavailable(f"cannot reach janus at {self.target.url}: {exc}") from exc

    async def stop(self) -> None:
        self._stopping = True
        for task in [*self._tasks, self._reconnecting]:
            if task is not None:
                task.cancel()
        with contextlib.suppress(KohtaamoError, JanusError):
            await self._close_all()
        conn, self._conn, self._session = self._conn, None, None
        if conn is not None:
            await conn.close()
        if self.managed is not None:
            await self.managed.stop()

    def reconnect_now(self) -> None:
        """Try to reconnect at once (the managed Janus was restarted)."""
        self._wake.set()

    async def next_event(self) -> MediaEvent:
        return await self._events.get()

    async def _connect(self) -> None:
        secret = self.target.token_secret
        conn = JanusConnection(
            self.target.url, self.target.api_secret,
            token=(lambda: core_token(secret, self.clock())) if secret else None,
            timeout=self.timeout, on_lost=lambda: self._lost(conn),
        )
        await conn.connect()
        try:
            session = await conn.create_session()
        except BaseException:
            await conn.close()
            raise
        session.keepalive_every = self.keepalive
        self._conn, self._session = conn, session

    def _lost(self, conn: JanusConnection) -> None:
        if conn is not self._conn or self._stopping:
            return
        self._conn = self._session = None
        self._spawn(conn.close())
        self._forget_all()
        self._events.put_nowait(EngineState(up=False))
        self._reconnecting = asyncio.create_task(self._reconnect(), name="janus-reconnect")

    async def _reconnect(self) -> None:
        delay = 0.25
        while not self._stopping:
            try:
                await self._connect()
            except (JanusError, OSError) as exc:
                log.warning("janus: reconnecting to %s failed: %s", self.target.url, exc)
            else:
                log.info("janus: reconnected to %s", self.target.url)
                self._events.put_nowait(EngineState(up=True))
                return
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            delay = min(delay * 2, 5.0)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("janus engine task failed", exc_info=task.exception())

    def _require(self) -> JanusSession:
        if self._session is None:
            raise MediaUnavailable("the media engine is not connected")
        return self._session

    async def _call(self, handle: JanusHandle, body: dict[str, Any],
                    jsep: dict[str, Any] | None = None) -> PluginReply:
        try:
            return await handle.message(body, jsep)
        except JanusError as exc:
            raise engine_error(exc) from exc

    async def _attach(self, on_event: Callable[[JanusHandle, JanusEvent], None]) -> JanusHandle:
        try:
            return await self._require().attach(VIDEOROOM, on_event)
        except JanusError as exc:
            raise engine_error(exc) from exc
