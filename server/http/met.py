"""People one met, and people one may want to meet (contract v1.2, issue 13).

`GET /api/me/met` lists whom the person met (in a round, or at a table) with
where and when: public fields only, never a card field, during and after the
event while its data is kept. `GET /api/me/suggestions` ranks present attendees
not yet met by what is shared (`rooms.suggest`).
"""

from __future__ import annotations

from aiohttp import web

from rooms.suggest import suggestions
from server.http.common import authenticated
from server.keys import WORLD

routes = web.RouteTableDef()


@routes.get("/api/me/met")
async def met(request: web.Request) -> web.Response:
    event, person = await authenticated(request, allow_banned=True)
    rows = await request.app[WORLD].storage.met.of(person.id)
    people = event.people
    return web.json_response([
        {"person": people[r["other"]].wire(), "room": r["room"], "room_title": r["room_title"],
         "at": r["at"], "via": r["via"]}
        for r in rows if r["other"] in people
    ])


@routes.get("/api/me/suggestions")
async def suggested(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    return web.json_response(suggestions(event.floor, person.id, event.rounds.met))
