"""Background work the app owns: each task is held, and cancelled and awaited on stop,
so none is collected mid-run or left running after shutdown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any


class OwnedTask:
    def __init__(self, name: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self.name = name
        self._run = run
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        # Python 3.11's asyncio.wait_for can swallow a cancel that lands as its
        # inner future completes; cancel again until the task has really ended.
        while not task.done():
            await asyncio.wait({task}, timeout=0.5)
            if not task.done():
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def running(self) -> bool:
        return self._task is not None and not self._task.done()
