"""The application factory: `create_app(config)` wires storage, world, Socket.IO,
the HTTP API, the browser client and the tick loop, and owns their lifetimes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from server import http_api, http_cards, http_staff, metrics, tuning, web_client
from server.config import Config
from server.delivery import Delivery
from server.keys import (
    CONFIG,
    DELIVERY,
    GC_PAUSES,
    JOIN_LIMITS,
    SESSIONS,
    SIO,
    TICK,
    WATCHDOG,
    WORLD,
)
from server.sessions import Sessions
from server.sockets import FloorNamespace, create_sio
from server.storage import Storage
from server.tick import TickLoop
from server.visits import VisitLog
from server.watchdog import LoopWatchdog
from server.world import World


def create_app(config: Config) -> web.Application:
    app = web.Application(
        client_max_size=config.max_payload,
        middlewares=[web_client.security_headers, http_api.error_middleware],
    )
    world = World(config)
    sessions = Sessions()
    sio = create_sio(config.max_payload, config.tuning)
    delivery = Delivery(sio, sessions)
    sio.register_namespace(FloorNamespace(world, sessions, delivery, config.tuning))
    sio.attach(app)
    app[CONFIG] = config
    app[WORLD] = world
    app[SESSIONS] = sessions
    app[SIO] = sio
    app[DELIVERY] = delivery
    app[GC_PAUSES] = metrics.GcPauses()
    app[WATCHDOG] = LoopWatchdog()
    app[TICK] = TickLoop(world, delivery, config.tick_hz, config.presence_hz,
                         config.tuning.tick_parts)
    app[JOIN_LIMITS] = http_api.join_limits(config.join_rate)
    app.router.add_routes(http_api.routes)
    app.router.add_routes(http_cards.routes)
    app.router.add_routes(http_staff.routes)
    app.router.add_routes(metrics.routes)
    web_client.add_routes(app)
    app.cleanup_ctx.append(_storage_and_world)
    app.cleanup_ctx.append(_tick_loop)
    app.cleanup_ctx.append(_visit_log)
    return app


async def _storage_and_world(app: web.Application) -> AsyncIterator[None]:
    storage = await Storage.open(app[CONFIG].database)
    try:
        await app[WORLD].load(storage)
        yield
    finally:
        await storage.close()


async def _tick_loop(app: web.Application) -> AsyncIterator[None]:
    tuning.after_startup(app[CONFIG].tuning)
    app[GC_PAUSES].start()
    app[WATCHDOG].start()
    app[TICK].start()
    yield
    await app[TICK].stop()
    app[WATCHDOG].stop()
    app[GC_PAUSES].stop()


async def _visit_log(app: web.Application) -> AsyncIterator[None]:
    visits = VisitLog(app[WORLD])
    visits.start()
    yield
    await visits.stop()
