"""Serving the browser client from `client/`, with a strict Content-Security-Policy
on every response, errors and redirects included.

Only what the page loads is served: `client/src/` (the ES modules, the styles,
the strings) under `/static/src/` and the bundle `client/dist/` under
`/static/dist/`. The rest of `client/` (node_modules, the build tool, tests,
package files) is never reachable."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path

from aiohttp import web

from server.keys import WORLD

CLIENT_DIR = Path(__file__).resolve().parents[2] / "client"
#: URL prefix -> folder of `client/` the page loads from (index.html and the modules).
SERVED = {"/static/src/": CLIENT_DIR / "src", "/static/dist/": CLIENT_DIR / "dist"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        # Redirects and errors raised anywhere (the router's own 404 and 405
        # included) leave as the exception: they need the headers too.
        _secure(exc.headers)
        raise
    _secure(response.headers)
    return response


def _secure(headers: MutableMapping[str, str]) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")


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
    for prefix, folder in SERVED.items():
        if folder.is_dir():
            app.router.add_static(prefix, folder, follow_symlinks=False)
