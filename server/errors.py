"""The one place where domain errors become HTTP errors and error acks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rooms.errors import KohtaamoError

STATUS: dict[str, int] = {
    "bad_request": 400,
    "unauthorized": 401,
    "banned": 403,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "room_closed": 409,
    "room_full": 409,
    "muted": 403,
    "too_large": 413,
    "rate_limited": 429,
    "internal": 500,
}


def error_body(
    code: str, message: str, field: str | None = None, **details: Any,
) -> dict[str, Any]:
    """The contract's HTTP error; `details` are the extension's `reason`, `min`, `max`."""
    return {"error": {"code": code, "message": message, "field": field, **details}}


def http_error(error: KohtaamoError) -> web.Response:
    return web.json_response(
        error_body(error.code, error.message, **error.details()),
        status=STATUS.get(error.code, 500),
    )


def ack_error(error: KohtaamoError) -> dict[str, Any]:
    return {"ok": False, "error": error.as_dict()}
