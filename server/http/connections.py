"""The cap on Socket.IO connections open at once from one client address.

An aiohttp middleware counts the requests on the Socket.IO path that are in
progress per address: a WebSocket's request lasts as long as the connection,
so this is the number of open connections. Past `max_connections_per_address`
the next is refused with 429 `rate_limited`, before engineio allocates anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from rooms.errors import RateLimited
from server.http.common import client_address

#: Where Socket.IO is served (python-socketio's default `socketio_path`).
SOCKET_PATH = "/socket.io/"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def per_address(limit: int) -> Any:
    """Middleware: at most `limit` Socket.IO requests open at once per client address."""
    open_now: defaultdict[str, int] = defaultdict(int)

    @web.middleware
    async def connections_per_address(
        request: web.Request, handler: Handler,
    ) -> web.StreamResponse:
        if not request.path.startswith(SOCKET_PATH):
            return await handler(request)
        address = client_address(request)
        if open_now[address] >= limit:
            raise RateLimited("too many connections from this address")
        open_now[address] += 1
        try:
            return await handler(request)
        finally:
            open_now[address] -= 1
            if not open_now[address]:
                del open_now[address]

    return connections_per_address
