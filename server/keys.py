"""Typed keys for what the aiohttp application holds (no module globals)."""

from __future__ import annotations

from aiohttp import web

from rooms.ratelimit import Limits
from server.collector import Settler
from server.config import Config
from server.media.calls import Calls
from server.metrics import GcPauses
from server.photos import Photos
from server.realtime.delivery import Delivery
from server.realtime.namespace import SocketServer
from server.realtime.sessions import Sessions
from server.retention import Retention
from server.tick import TickLoop
from server.visits import VisitLog
from server.watchdog import LoopWatchdog
from server.world import World

CONFIG = web.AppKey("config", Config)
WORLD = web.AppKey("world", World)
SIO = web.AppKey("sio", SocketServer)
SESSIONS = web.AppKey("sessions", Sessions)
DELIVERY = web.AppKey("delivery", Delivery)
TICK = web.AppKey("tick", TickLoop)
GC_PAUSES = web.AppKey("gc_pauses", GcPauses)
WATCHDOG = web.AppKey("watchdog", LoopWatchdog)
COLLECTOR = web.AppKey("collector", Settler)
VISITS = web.AppKey("visits", VisitLog)
JOIN_LIMITS = web.AppKey("join_limits", Limits)
RETENTION = web.AppKey("retention", Retention)
CALLS = web.AppKey("calls", Calls)
PHOTOS = web.AppKey("photos", Photos)
