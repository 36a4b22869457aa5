"""What every HTTP handler needs: the JSON body, the bearer token's person and the
client's address."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from rooms.errors import BadRequest, Reason, Unauthorized
from rooms.event import Event
from rooms.model import Person
from server import net
from server.keys import CONFIG, WORLD


def client_address(request: web.Request) -> str:
    """The address per-address limits count (joins, connections): the peer's, or
    behind a trusted proxy the client's it reports (`server.net.client_address`)."""
    return net.client_address(request, request.app[CONFIG].trusted_proxies)


async def read_json(request: web.Request) -> Any:
    if not request.can_read_body:
        raise BadRequest("a JSON body is required")
    try:
        return json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None
    except RecursionError:  # nested deeper than the parser's stack
        raise BadRequest("the body is nested too deeply") from None


async def authenticated(
    request: web.Request, *, allow_banned: bool = False,
) -> tuple[Event, Person]:
    """The bearer token's event and person. Banned people are refused (403) unless
    `allow_banned`: their own data stays theirs to read, export and erase."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("an Authorization: Bearer token is required")
    return await request.app[WORLD].authenticate(token.strip(), allow_banned=allow_banned)


def requested_format(request: web.Request, allowed: tuple[str, ...]) -> str:
    """`?format=` of an export (json by default); anything else is bad_request."""
    fmt = request.query.get("format", "json")
    if fmt not in allowed:
        raise BadRequest(f"format must be one of {', '.join(allowed)}", field="format",
                         reason=Reason.INVALID)
    return fmt
