"""A watchdog for the event loop: when the loop has not turned for `threshold`
seconds, log where its thread is, once per stall, and count the stall.

Everyone on the floor waits while the loop is stuck, so a stall is the one
thing worth a warning even in a healthy log. The heartbeat is a loop callback
every `interval`; the watcher is a daemon thread that reads the loop thread's
current frame (`sys._current_frames`), so the report says what held the loop,
not what ran after it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback

log = logging.getLogger(__name__)


class LoopWatchdog:
    def __init__(self, threshold: float = 0.25, interval: float = 0.05) -> None:
        self.threshold = threshold
        self.interval = interval
        #: stalls seen, and the longest in seconds, for /metrics
        self.stalls = 0
        self.longest = 0.0
        self._beat = time.monotonic()
        self._loop_thread = 0
        self._handle: asyncio.TimerHandle | None = None
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start beating on the running loop and watching from a thread."""
        loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._stopped.clear()
        self._beat_now(loop)
        self._thread = threading.Thread(target=self._watch, name="kohtaamo-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _beat_now(self, loop: asyncio.AbstractEventLoop) -> None:
        self._beat = time.monotonic()
        if not self._stopped.is_set():
            self._handle = loop.call_later(self.interval, self._beat_now, loop)

    def _watch(self) -> None:
        stalled_since: float | None = None
        while not self._stopped.wait(self.interval):
            beat = self._beat
            lag = time.monotonic() - beat
            if lag > self.threshold and stalled_since != beat:
                stalled_since = beat
                self.stalls += 1
                frame = sys._current_frames().get(self._loop_thread)
                where = "".join(traceback.format_stack(frame)[-15:]) if frame else "(unknown)\n"
                log.warning("event loop stalled for %.0f ms so far; its thread is at:\n%s",
                            lag * 1000, where.rstrip())
            elif stalled_since is not None and beat != stalled_since:
                lasted = beat - stalled_since
                self.longest = max(self.longest, lasted)
                log.warning("event loop turned again after %.0f ms", lasted * 1000)
                stalled_since = None
