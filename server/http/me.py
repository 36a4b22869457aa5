"""One's own data over HTTP: the profile, contacts (JSON, vCard, CSV) and erasure.

A banned person may still read their profile, export their contacts and erase
themselves (but not edit their card, nor connect).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from rooms.errors import BadRequest, Reason
from rooms.model import Person
from server.http import export
from server.http.common import authenticated, read_json, requested_format
from server.keys import DELIVERY, WORLD
from server.world import now_ms

routes = web.RouteTableDef()

#: Most card requests one page of `GET /api/me/requests` holds.
MAX_REQUESTS_PAGE = 200


def me_body(person: Person) -> dict[str, Any]:
    return {"person": person.wire(), "card": person.profile.card()}




@routes.get("/api/me/contacts")
async def contacts(request: web.Request) -> web.Response:
    event, person = await authenticated(request, allow_banned=True)
    fmt = requested_format(request, ("json", "vcf", "csv"))
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
    event, person = await authenticated(request, allow_banned=True)
    world = request.app[WORLD]
    now = now_ms()
    async with world.card_lock(event.slug):
        await world.storage.cards.erase(person.id, now)
        out = event.erase(person.id, now)
        world.forget(person.id)
    await request.app[DELIVERY](out)
    return web.Response(status=204)


@routes.get("/api/me")
async def get_me(request: web.Request) -> web.Response:
    _event, person = await authenticated(request, allow_banned=True)
    return web.json_response(me_body(person))


@routes.patch("/api/me")
async def patch_me(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    profile = person.profile.updated(await read_json(request))
    storage = request.app[WORLD].storage
    async with storage.transaction():  # the profile and the contacts' copies together
        await storage.update_profile(person.id, profile)
        await storage.cards.update_card(person.id, profile.card())
    person.profile = profile
    event.touch(people=[person.id])
    return web.json_response(me_body(person))


@routes.get("/api/me/requests")
async def requests(request: web.Request) -> web.Response:
    """Pending card requests addressed to me, a page at a time, newest pages first:
    `?before=CURSOR` (the welcome's `requests_next`, or a page's `next`) and
    `?limit=1..200` (default the welcome's size). 200 `{requests, next}`."""
    event, person = await authenticated(request)
    raw = request.query.get("limit")
    if raw is not None and not (raw.isdigit() and 1 <= int(raw) <= MAX_REQUESTS_PAGE):
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_REQUESTS_PAGE}",
                         field="limit", reason=Reason.OUT_OF_RANGE,
                         limit=(1, MAX_REQUESTS_PAGE))
    page, cursor = event.requests_page(
        person.id, request.query.get("before"), int(raw) if raw is not None else None)
    return web.json_response({"requests": page, "next": cursor})
