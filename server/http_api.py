"""The HTTP API: event info, joining, one's own profile, health.

Handlers stay thin: authenticate, validate into domain types, call the world,
answer JSON. Every failure leaves through `error_middleware` in the contract's
shape `{"error": {code, message, field}}`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from rooms.errors import BadRequest, Forbidden, KohtaamoError, RateLimited, Unauthorized
from rooms.event import Event
from rooms.model import Person, Role
from rooms.profile import Profile
from rooms.ratelimit import Limits, Rate
from server.config import DEFAULT_JOIN_RATE
from server.errors import error_body, http_error
from server.keys import JOIN_LIMITS, TICK, WORLD
from server.world import World, now_ms

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
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
            error_body(_HTTP_CODES.get(exc.status, "bad_request"), message), status=exc.status
        )
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(error_body("internal", "something went wrong"), status=500)


def join_limits(rate: Rate = DEFAULT_JOIN_RATE) -> Limits:
    """Joins per client address (`[limits] join`): a loop of joins is stopped."""
    return Limits({"join": rate})


async def _body(request: web.Request) -> Any:
    if not request.can_read_body:
        raise BadRequest("a JSON body is required")
    try:
        return json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON") from None


async def authenticated(request: web.Request) -> tuple[Event, Person]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("an Authorization: Bearer token is required")
    return await request.app[WORLD].authenticate(token.strip())


def me_body(person: Person) -> dict[str, Any]:
    return {"person": person.wire(), "card": person.profile.card()}


@routes.get("/api/events/{event}")
async def event_info(request: web.Request) -> web.Response:
    return web.json_response(request.app[WORLD].event(request.match_info["event"]).info())


@routes.post("/api/events/{event}/join")
async def join(request: web.Request) -> web.Response:
    world: World = request.app[WORLD]
    event = world.event(request.match_info["event"])
    if not request.app[JOIN_LIMITS].allow(request.remote or "?", "join", now_ms()):
        raise RateLimited("too many joins from this address; try again in a moment")
    body = await _body(request)
    profile = Profile.parse(body, extra=frozenset({"code"}))
    code = body.get("code") or ""
    if not isinstance(code, str):
        raise BadRequest("code must be a string", field="code")
    if event.code and code != event.code:
        raise Forbidden("wrong join code", field="code")
    event.admit()
    token, person = await world.add_person(event.slug, Role.ATTENDEE, profile)
    return web.json_response({"token": token, "person": person.wire()}, status=201)


@routes.get("/api/me")
async def get_me(request: web.Request) -> web.Response:
    _event, person = await authenticated(request)
    return web.json_response(me_body(person))


@routes.patch("/api/me")
async def patch_me(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    profile = person.profile.updated(await _body(request))
    await request.app[WORLD].storage.update_profile(person.id, profile)
    await request.app[WORLD].storage.cards.update_card(person.id, profile.card())
    person.profile = profile
    event.touch(people=[person.id])
    return web.json_response(me_body(person))


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    db_ok = await request.app[WORLD].storage.healthy()
    tick_ok = request.app[TICK].alive()
    if db_ok and tick_ok:
        return web.json_response({"status": "ok"})
    return web.json_response(
        {"status": "unhealthy", "database": db_ok, "tick": tick_ok}, status=503
    )
