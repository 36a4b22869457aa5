"""Shutting down with people connected (contract v1.1).

On SIGTERM or SIGINT the runner stops accepting; then every open WebSocket's
TCP transport is aborted here (`on_shutdown`), so the app's cleanup that follows
(seats, visits, storage) does not wait on them. No Socket.IO DISCONNECT is
sent: clients see their transport close, as on a network drop, and reconnect
by themselves to the server that comes back, which seats them where they were.
aiohttp would otherwise wait for each WebSocket handler to end on its own,
which takes until the client's heartbeat gives up.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from aiohttp import web

log = logging.getLogger(__name__)


class OpenSockets:
    """The TCP transport of every WebSocket this app accepted and still has."""

    def __init__(self) -> None:
        self._transports: weakref.WeakKeyDictionary[
            web.StreamResponse, asyncio.Transport] = weakref.WeakKeyDictionary()

    def install(self, app: web.Application) -> None:
        app.on_response_prepare.append(self._prepared)
        app.on_shutdown.append(self._abort_all)

    async def _prepared(self, request: web.Request, response: web.StreamResponse) -> None:
        if isinstance(response, web.WebSocketResponse) and request.transport is not None:
            self._transports[response] = request.transport

    async def _abort_all(self, app: web.Application) -> None:
        transports = [t for t in self._transports.values() if not t.is_closing()]
        for transport in transports:
            transport.abort()
        self._transports.clear()
        log.info("closed %d connections for shutdown", len(transports))


async def stop(runner: web.AppRunner, seconds: float) -> bool:
    """Stop accepting, close every connection, write what must survive, all within
    `seconds`. False when that did not finish in time."""
    try:
        async with asyncio.timeout(seconds):
            await runner.cleanup()
    except TimeoutError:
        log.error("shutdown did not finish within %s s", seconds)
        return False
    return True
