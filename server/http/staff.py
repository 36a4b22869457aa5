"""HTTP endpoints for staff: the organizer report and moderation log (hosts), flags and
bans (moderators, hosts).

The role comes from the bearer token's stored person; staff of another event
get 403 like anyone else without the role.
"""

from __future__ import annotations

from aiohttp import web

from rooms.errors import BadRequest, Forbidden
from rooms.event import Event
from rooms.model import Role
from rooms.staff import HOSTS, MODERATORS
from server.http import export
from server.http.common import authenticated, requested_format
from server.keys import VISITS, WORLD
from server.world import now_ms

routes = web.RouteTableDef()

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


async def _staff_of(request: web.Request, roles: tuple[Role, ...]) -> Event:
    event, person = await authenticated(request)
    if event.slug != request.match_info["event"] or person.role not in roles:
        raise Forbidden("your role does not allow this")
    return event


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    # only ASCII digits: str.isdigit also accepts "²", which int() refuses
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


@routes.get("/api/events/{event}/moderation")
async def moderation(request: web.Request) -> web.Response:
    """The moderation log, newest first: `[{seq, at, actor, action, target, detail}]`."""
    event = await _staff_of(request, HOSTS)
    rows = await request.app[WORLD].storage.staff.moderation(event.slug, _limit(request))
    return web.json_response(rows)


@routes.get("/api/events/{event}/flags")
async def flags(request: web.Request) -> web.Response:
    """Flags raised by attendees, newest first: `[{flag, from, person, reason, at}]`."""
    event = await _staff_of(request, MODERATORS)
    rows = await request.app[WORLD].storage.staff.flags(event.slug, _limit(request))
    return web.json_response(rows)


@routes.get("/api/events/{event}/bans")
async def bans(request: web.Request) -> web.Response:
    """People banned, latest first: `[{person, name, at, by, by_name, reason}]`."""
    event = await _staff_of(request, MODERATORS)
    rows = await request.app[WORLD].storage.staff.bans(event.slug, _limit(request))
    return web.json_response(rows)


@routes.get("/api/events/{event}/report")
async def report(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    if person.role is not Role.HOST or event.slug != request.match_info["event"]:
        raise Forbidden("only this event's hosts can read its report")
    fmt = requested_format(request, ("json", "csv"))
    storage = request.app[WORLD].storage
    # Once retention erased the event's people, the figures kept for it are the
    # report. Otherwise every visit acknowledged before this request is written
    # first, and the report is read in the same transaction, so it reflects all.
    body = await storage.retention.archived_report(event.slug)
    if body is None:
        async with storage.transaction():
            await request.app[VISITS].flush()
            body = await storage.visits.report(event, now_ms())
    if fmt == "csv":
        return web.Response(
            text=export.report_csv(body), content_type="text/csv", charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}-report.csv"'})
    return web.json_response(body)
