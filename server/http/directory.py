"""`GET /api/events/{event}/people`: find people of the event, here or gone
(`rooms.directory`), for a card request to someone who left."""

from __future__ import annotations

from aiohttp import web

from rooms.directory import MAX_PAGE, find_people
from rooms.errors import BadRequest, Forbidden
from server.http.common import authenticated
from server.keys import WORLD
from server.world import now_ms

routes = web.RouteTableDef()


@routes.get("/api/events/{event}/people")
async def people(request: web.Request) -> web.Response:
    """`?q=words&interest=tag&absent=1&after=CURSOR&limit=1..50` → 200 `{people, next}`:
    public fields only, ordered by name, the asker left out."""
    event, person = await authenticated(request)
    if event is not request.app[WORLD].event(request.match_info["event"]):
        raise Forbidden("you are not a person of this event")
    event.floor.check_rate(person, "search", now_ms())
    query = request.query
    raw = query.get("limit")
    if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= MAX_PAGE):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_PAGE}", field="limit")
    absent = query.get("absent", "0")
    if absent not in ("0", "1"):
        raise BadRequest("absent must be 0 or 1", field="absent")
    found, cursor = find_people(
        event.people.values(), query.get("q", ""), interest=query.get("interest", ""),
        after=query.get("after") or None, limit=int(raw) if raw else MAX_PAGE,
        absent_only=absent == "1", exclude=person.id)
    return web.json_response({"people": found, "next": cursor})
