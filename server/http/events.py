"""Public event info and joining an event."""

from __future__ import annotations

from aiohttp import web

from rooms.errors import BadRequest, Forbidden, RateLimited, Reason
from rooms.model import Role
from rooms.profile import Profile
from rooms.ratelimit import Limits, Rate
from server.config import DEFAULT_JOIN_RATE
from server.http.common import client_address, read_json
from server.keys import JOIN_LIMITS, WORLD
from server.world import World, now_ms

routes = web.RouteTableDef()


def join_limits(rate: Rate = DEFAULT_JOIN_RATE) -> Limits:
    """Joins per client address (`[limits] join`): a loop of joins is stopped."""
    return Limits({"join": rate}, prune_every=1024)


@routes.get("/api/events/{event}")
async def event_info(request: web.Request) -> web.Response:
    return web.json_response(request.app[WORLD].event(request.match_info["event"]).info())


@routes.post("/api/events/{event}/join")
async def join(request: web.Request) -> web.Response:
    world: World = request.app[WORLD]
    event = world.event(request.match_info["event"])
    now = now_ms()
    if not request.app[JOIN_LIMITS].allow(client_address(request), "join", now):
        raise RateLimited("too many joins from this address; try again in a moment")
    body = await read_json(request)
    profile = Profile.parse(body, extra=frozenset({"code"}))
    code = body.get("code") or ""
    if not isinstance(code, str):
        raise BadRequest("code must be a string", field="code", reason=Reason.NOT_TEXT)
    if event.code and code != event.code:
        raise Forbidden("wrong join code", field="code", reason=Reason.WRONG_CODE)
    event.admit()
    event.admit_join(now)
    token, person = await world.add_person(event.slug, Role.ATTENDEE, profile)
    return web.json_response({"token": token, "person": person.wire()}, status=201)
