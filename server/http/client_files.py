"""Serving the browser client from `client/`, with a strict Content-Security-Policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from server.keys import WORLD

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


async def index(request: web.Request) -> web.StreamResponse:
    slugs = list(request.app[WORLD].events)
    if not slugs:
        raise web.HTTPNotFound(text="no events are configured")
    raise web.HTTPFound(f"/e/{slugs[0]}")


async def event_page(request: web.Request) -> web.StreamResponse:
    request.app[WORLD].event(request.match_info["event"])  # 404 for unknown events
    page = CLIENT_DIR / "index.html"
    if not page.is_file():
        raise web.HTTPNotFound(text="the browser client is not installed")
    return web.FileResponse(page, headers={"Cache-Control": "no-cache"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get("/e/{event}", event_page)
    if CLIENT_DIR.is_dir():
        app.router.add_static("/static/", CLIENT_DIR, follow_symlinks=False)
