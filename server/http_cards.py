"""HTTP endpoints for one's contacts, erasing oneself, and the organizer report."""

from __future__ import annotations

from aiohttp import web

from rooms.errors import BadRequest, Forbidden
from rooms.model import Role
from server import export
from server.http_api import authenticated
from server.keys import DELIVERY, WORLD
from server.world import now_ms

routes = web.RouteTableDef()


def _format(request: web.Request, allowed: tuple[str, ...]) -> str:
    fmt = request.query.get("format", "json")
    if fmt not in allowed:
        raise BadRequest(f"format must be one of {', '.join(allowed)}", field="format")
    return fmt


@routes.get("/api/me/contacts")
async def contacts(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    fmt = _format(request, ("json", "vcf", "csv"))
    found = await request.app[WORLD].storage.cards.contacts_of(person.id)
    if fmt == "vcf":
        return web.Response(
            text=export.vcards(found, event.title), content_type="text/vcard", charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}-contacts.vcf"'})
    if fmt == "csv":
        return web.Response(
            text=export.contacts_csv(found), content_type="text/csv", charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}-contacts.csv"'})
    return web.json_response(found)


@routes.delete("/api/me")
async def erase_me(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    world = request.app[WORLD]
    now = now_ms()
    async with world.card_lock(event.slug):
        await world.storage.cards.erase(person.id, now)
        out = event.erase(person.id, now)
        world.forget(person.id)
    await request.app[DELIVERY](out)
    return web.Response(status=204)


@routes.get("/api/events/{event}/report")
async def report(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    if person.role is not Role.HOST or event.slug != request.match_info["event"]:
        raise Forbidden("only this event's hosts can read its report")
    fmt = _format(request, ("json", "csv"))
    body = await request.app[WORLD].storage.cards.report(event, now_ms())
    if fmt == "csv":
        return web.Response(
            text=export.report_csv(body), content_type="text/csv", charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}-report.csv"'})
    return web.json_response(body)
