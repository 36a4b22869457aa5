"""HTTP endpoints for contacts, erasure and the organizer report (issue 3)."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
