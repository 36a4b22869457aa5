"""HTTP endpoints for staff: moderation log and flags (issue 4)."""

from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
