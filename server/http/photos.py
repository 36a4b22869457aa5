"""Profile photos over HTTP: upload and remove one's own, and serve everyone's.

`PUT /api/me/photo` takes the image as the raw body (what a browser's `fetch`
sends for a `File`), at most `photos.MAX_BYTES` (413 beyond), re-encoded by
`server.photos` off the event loop. The photo is public to the event as the
rest of the Person is: others hear of a change in the next `presence`.
"""

from __future__ import annotations

from aiohttp import web

from rooms.errors import BadRequest, NotFound, Unauthorized
from server import photos
from server.http.common import authenticated
from server.http.me import me_body
from server.keys import PHOTOS, WORLD
from server.world import now_ms

routes = web.RouteTableDef()

#: A versioned URL never changes content: the browser keeps it, but only the
#: browser (`private`), so no shared cache holds a photo after its erasure.
CACHE_FOREVER = "private, max-age=31536000, immutable"


async def read_image(request: web.Request) -> bytes:
    """The raw body, refused with 413 as soon as it passes `MAX_BYTES`."""
    declared = request.content_length
    if declared is not None and declared > photos.MAX_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=photos.MAX_BYTES, actual_size=declared)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > photos.MAX_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=photos.MAX_BYTES, actual_size=size)
        chunks.append(chunk)
    if not size:
        raise BadRequest("the body must be an image (JPEG, PNG, WebP or GIF)")
    return b"".join(chunks)


@routes.put("/api/me/photo")
async def put_photo(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    world = request.app[WORLD]
    event.floor.check_rate(person, "photo", now_ms())
    webp = await request.app[PHOTOS].process(await read_image(request))
    # Erasure runs under the card lock: a photo never outlives its person.
    async with world.card_lock(event.slug):
        if event.people.get(person.id) is not person:
            raise Unauthorized("unknown or erased token")
        person.photo = await world.storage.photos.save(event.slug, person.id, webp, now_ms())
    event.touch(people=[person.id])
    return web.json_response(me_body(person))


@routes.delete("/api/me/photo")
async def delete_photo(request: web.Request) -> web.Response:
    event, person = await authenticated(request)
    world = request.app[WORLD]
    async with world.card_lock(event.slug):
        await world.storage.photos.delete(person.id)
        person.photo = None
    event.touch(people=[person.id])
    return web.json_response(me_body(person))


@routes.get("/api/photos/{file}")
async def get_photo(request: web.Request) -> web.Response:
    person_id, dot, ext = request.match_info["file"].rpartition(".")
    storage = request.app[WORLD].storage
    found = await storage.photos.get(person_id) if dot and ext == "webp" else None
    if found is None:
        raise NotFound("no such photo")
    version, webp = found
    current = request.query.get("v") == str(version)
    return web.Response(body=webp, content_type="image/webp", headers={
        "Cache-Control": CACHE_FOREVER if current else "no-cache"})
