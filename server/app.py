"""The application factory: `create_app(config)` wires storage, world, Socket.IO,
the HTTP API, the browser client and the tick loop, and owns their lifetimes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server import metrics
from server.collector import Settler
from server.config import Config
from server.http import client_files, connections, directory, events, health, me, met, photos, staff
from server.http.errors import error_middleware
from server.keys import (
    CALLS,
    COLLECTOR,
    CONFIG,
    DELIVERY,
    GC_PAUSES,
    JOIN_LIMITS,
    PHOTOS,
    RETENTION,
    SESSIONS,
    SIO,
    TICK,
    VISITS,
    WATCHDOG,
    WORLD,
)
from server.media.calls import Calls
from server.media.settings import build_engine
from server.photos import Photos
from server.realtime import tuning
from server.realtime.delivery import Delivery
from server.realtime.handlers import cards as card_requests
from server.realtime.handlers import floor as floor_requests
from server.realtime.handlers import hands as hand_requests
from server.realtime.handlers import media as media_requests
from server.realtime.handlers import merge
from server.realtime.handlers import rounds as round_requests
from server.realtime.handlers import staff as staff_requests
from server.realtime.namespace import FloorNamespace, create_sio
from server.realtime.sessions import Sessions
from server.retention import Retention
from server.seats import SeatLog
from server.shutdown import OpenSockets
from server.store.storage import Storage
from server.tick import TickLoop
from server.visits import VisitLog
from server.watchdog import LoopWatchdog
from server.world import World, now_ms

#: Each handler module's table of Socket.IO requests, merged as the HTTP routes are.
REQUEST_TABLES = (floor_requests.HANDLERS, card_requests.HANDLERS, staff_requests.HANDLERS,
                  hand_requests.HANDLERS, round_requests.HANDLERS)


def create_app(config: Config) -> web.Application:
    app = web.Application(
        client_max_size=config.max_payload,
        middlewares=[client_files.security_headers, error_middleware,
                     connections.per_address(config.max_connections_per_address)],
    )
    world = World(config)
    sessions = Sessions()
    sio = create_sio(config.max_payload, config.tuning,
                     ping=(config.ping_interval, config.ping_timeout),
                     connect_timeout=config.connect_timeout,
                     max_queued_bytes=config.max_queued_bytes)
    delivery = Delivery(sio, sessions, config.tuning.room_changes)
    # Voice and video: no engine when media is off or no Janus can be had; then
    # every media request is `unavailable` and everything else works.
    engine = build_engine(config.media, config.database.parent / "janus")
    calls = Calls(config.media, engine, delivery, lambda: world.events,
                  steady_audio=config.tuning.steady_audio)
    delivery.observers.append(calls.observe)
    delivery.followers.append(hand_requests.follower(world))
    handlers = merge(*REQUEST_TABLES, media_requests.handlers(calls))
    sio.register_namespace(FloorNamespace(world, sessions, delivery, handlers, config.tuning,
                                          welcome_extra=lambda event, person: {
                                              **calls.welcome(event, person),
                                              **hand_requests.welcome(event, person)}))
    sio.attach(app)
    app[CONFIG] = config
    app[WORLD] = world
    app[SESSIONS] = sessions
    app[SIO] = sio
    app[DELIVERY] = delivery
    app[CALLS] = calls
    app[GC_PAUSES] = metrics.GcPauses()
    app[WATCHDOG] = LoopWatchdog()
    app[COLLECTOR] = Settler(lambda: sio.eio.sockets.keys())
    app[TICK] = TickLoop(world, delivery, config.tick_hz, config.presence_hz,
                         config.tuning.tick_parts)
    app[JOIN_LIMITS] = events.join_limits(config.join_rate)
    app[RETENTION] = Retention(world, delivery)
    app[VISITS] = VisitLog(world)
    app[PHOTOS] = Photos()
    for module in (events, me, met, photos, directory, staff, health):
        app.router.add_routes(module.routes)
    client_files.add_routes(app)
    OpenSockets().install(app)
    app.cleanup_ctx.append(_storage_and_world)
    app.cleanup_ctx.append(_tick_loop)
    app.cleanup_ctx.append(_visit_log)
    app.cleanup_ctx.append(_seat_log)
    app.cleanup_ctx.append(_retention)
    app.cleanup_ctx.append(_calls)
    return app


async def _calls(app: web.Application) -> AsyncIterator[None]:
    """The media engine (a managed Janus by default) and the tasks that follow it."""
    await app[CALLS].start()
    yield
    await app[CALLS].stop()


async def _storage_and_world(app: web.Application) -> AsyncIterator[None]:
    storage = await Storage.open(app[CONFIG].database)
    try:
        world = app[WORLD]
        await world.load(storage)
        # Serving starts with nobody on the floor: visits a stop left open end
        # now. Only here: `kohtaamo staff add` loads nothing beside a live server.
        for slug in world.events:
            await storage.visits.close_open_visits(slug, now_ms())
        yield
    finally:
        await storage.close()


async def _tick_loop(app: web.Application) -> AsyncIterator[None]:
    tuning.after_startup(app[CONFIG].tuning)
    app[GC_PAUSES].start()
    app[WATCHDOG].start()
    if app[CONFIG].tuning.gc_settle:
        app[COLLECTOR].start()
    app[TICK].start()
    yield
    await app[TICK].stop()
    await app[COLLECTOR].stop()
    app[WATCHDOG].stop()
    app[GC_PAUSES].stop()


async def _visit_log(app: web.Application) -> AsyncIterator[None]:
    visits = app[VISITS]
    visits.start()
    yield
    await visits.stop()


async def _seat_log(app: web.Application) -> AsyncIterator[None]:
    seats = SeatLog(app[WORLD])
    seats.start()
    yield
    await seats.stop()
async def _retention(app: web.Application) -> AsyncIterator[None]:
    """Sweep at start-up, then once a day (server/retention.py)."""
    retention = app[RETENTION]
    try:
        await retention.sweep()
    except Exception:  # the server serves anyway; the daily sweep tries again
        logging.getLogger(__name__).exception("retention sweep at start-up failed")
    retention.start()
    yield
    await retention.stop()
