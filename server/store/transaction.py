"""Transactions on the one shared aiosqlite connection.

The app shares one connection, so a commit or rollback belongs to whoever runs
it, not to the coroutine that wrote: without isolation another coroutine's
commit could land half of a staff change, or its rollback undo it. Here one
transaction runs at a time: `async with tx():` takes the connection's lock,
BEGINs, and COMMITs on success or ROLLs BACK on any error. Every write method
of the stores runs inside one; a write method called inside an open
transaction of the same task joins it, so a caller can group several writes
(a staff change and its log row) into one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiosqlite

log = logging.getLogger(__name__)


class Transactions:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    @property
    def active(self) -> bool:
        """The calling task is inside a transaction."""
        return self._holder is not None and self._holder is asyncio.current_task()

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        """One transaction, or the caller's own when it is already inside one."""
        if self.active:
            yield
            return
        async with self._lock:
            self._holder = asyncio.current_task()
            try:
                await self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    await self.db.commit()
                except BaseException:
                    try:
                        await self.db.rollback()
                    except Exception:  # the connection may be what failed
                        log.exception("rollback failed")
                    raise
            finally:
                self._holder = None

    @contextlib.asynccontextmanager
    async def outside(self) -> AsyncIterator[None]:
        """Hold the connection with no transaction open: for what SQLite runs only
        outside one (a WAL checkpoint after an erasure)."""
        if self.active:
            raise RuntimeError("outside() inside a transaction")
        async with self._lock:
            yield
