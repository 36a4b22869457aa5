"""Every failed HTTP request leaves in the contract's shape
`{"error": {code, message, field}}`: domain errors, aiohttp's own HTTP errors on
API paths, and anything unexpected (logged once, answered `internal`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from rooms.errors import KohtaamoError
from server.errors import error_body, http_error

log = logging.getLogger(__name__)

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "bad_request", 409: "conflict", 413: "bad_request", 429: "rate_limited"}


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    try:
        return await handler(request)
    except KohtaamoError as exc:
        return http_error(exc)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        message = "request body too large" if exc.status == 413 else exc.reason
        return web.json_response(
            error_body(HTTP_CODES.get(exc.status, "bad_request"), message), status=exc.status
        )
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(error_body("internal", "something went wrong"), status=500)
