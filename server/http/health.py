"""`/healthz` for anyone, and `/metrics`: Prometheus text exposition written by hand
(no extra dependency). `/metrics` answers loopback clients, the networks in
`metrics_allow`, and whoever shows the `metrics_token`; anyone else gets 404, as
if it did not exist. A request relayed by a trusted proxy is judged by the client
it was relayed for, never by the proxy's own (often loopback) address; one that
carries proxy headers from a peer not in `trusted_proxies` opens only by token."""

from __future__ import annotations

import asyncio
import hmac

from aiohttp import web

from server.config import Config
from server.keys import COLLECTOR, CONFIG, GC_PAUSES, SIO, TICK, WATCHDOG, WORLD
from server.metrics import loop_name
from server.net import client_address, parse_address, within

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    db_ok = await request.app[WORLD].storage.healthy()
    tick_ok = request.app[TICK].alive()
    if db_ok and tick_ok:
        return web.json_response({"status": "ok"})
    return web.json_response(
        {"status": "unhealthy", "database": db_ok, "tick": tick_ok}, status=503
    )


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(app: web.Application) -> str:
    world, tick, requests = app[WORLD], app[TICK], app[SIO].requests
    lines = [
        "# HELP kohtaamo_people_connected People with a live connection, per event.",
        "# TYPE kohtaamo_people_connected gauge",
    ]
    for slug, event in world.events.items():
        n = event.connected_count
        lines.append(f'kohtaamo_people_connected{{event="{_label(slug)}"}} {n}')
    lines += [
        "# HELP kohtaamo_tick_seconds Work done in one tick, or one slice of a split tick.",
        "# TYPE kohtaamo_tick_seconds histogram",
        *tick.work.lines("kohtaamo_tick_seconds"),
        "# HELP kohtaamo_ticks_late_total Ticks (or slices) started more than a tick late.",
        "# TYPE kohtaamo_ticks_late_total counter",
        f"kohtaamo_ticks_late_total {tick.late}",
        "# HELP kohtaamo_ticks_skipped_total Tick periods skipped to catch up.",
        "# TYPE kohtaamo_ticks_skipped_total counter",
        f"kohtaamo_ticks_skipped_total {tick.skipped}",
        "# HELP kohtaamo_gc_pause_seconds Pauses of the cyclic garbage collector.",
        "# TYPE kohtaamo_gc_pause_seconds histogram",
        *(line for generation, pauses in enumerate(app[GC_PAUSES].by_generation)
          for line in pauses.lines("kohtaamo_gc_pause_seconds", f'generation="{generation}"')),
        "# HELP kohtaamo_gc_pause_longest_seconds The collector's longest pause so far.",
        "# TYPE kohtaamo_gc_pause_longest_seconds gauge",
        *(f'kohtaamo_gc_pause_longest_seconds{{generation="{generation}"}} {longest!r}'
          for generation, longest in enumerate(app[GC_PAUSES].longest)),
        "# HELP kohtaamo_gc_settles_total Survivors of a connection wave frozen, and released"
        " when most had gone (`[tuning] gc_settle`, server/collector.py).",
        "# TYPE kohtaamo_gc_settles_total counter",
        f'kohtaamo_gc_settles_total{{action="freeze"}} {app[COLLECTOR].freezes}',
        f'kohtaamo_gc_settles_total{{action="release"}} {app[COLLECTOR].releases}',
        "# HELP kohtaamo_event_loop_info The event loop the server runs on (`[tuning] uvloop`).",
        "# TYPE kohtaamo_event_loop_info gauge",
        f'kohtaamo_event_loop_info{{loop="{_label(loop_name(asyncio.get_running_loop()))}"}} 1',
        "# HELP kohtaamo_loop_stalls_total Times the event loop did not turn for 250 ms.",
        "# TYPE kohtaamo_loop_stalls_total counter",
        f"kohtaamo_loop_stalls_total {app[WATCHDOG].stalls}",
        "# HELP kohtaamo_loop_stall_longest_seconds The longest such stall so far.",
        "# TYPE kohtaamo_loop_stall_longest_seconds gauge",
        f"kohtaamo_loop_stall_longest_seconds {app[WATCHDOG].longest!r}",
        "# HELP kohtaamo_slow_readers_closed_total Connections closed for not reading"
        " what was sent to them (past [server] max_queued_bytes).",
        "# TYPE kohtaamo_slow_readers_closed_total counter",
        f"kohtaamo_slow_readers_closed_total {app[SIO].slow_readers.closed}",
        "# HELP kohtaamo_requests_total Socket.IO requests by name and outcome.",
        "# TYPE kohtaamo_requests_total counter",
    ]
    for (name, outcome), n in sorted(requests.counts.items()):
        lines.append(
            f'kohtaamo_requests_total{{name="{_label(name)}",outcome="{_label(outcome)}"}} {n}'
        )
    return "\n".join(lines) + "\n"


_PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


def allowed(request: web.BaseRequest, config: Config) -> bool:
    """Loopback, an allowed network, or the bearer token (compared in constant time)."""
    if config.metrics_token:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), config.metrics_token.encode()
        ):
            return True
    relayed = any(h in request.headers for h in _PROXY_HEADERS)
    if relayed and not within(parse_address(request.remote), config.trusted_proxies):
        # Relayed by a proxy nobody declared trusted (often on loopback itself):
        # the real client is unknown, so its address opens nothing.
        return False
    client = parse_address(client_address(request, config.trusted_proxies))
    if client is None:
        return False
    return client.is_loopback or within(client, config.metrics_allow)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    if not allowed(request, request.app[CONFIG]):
        raise web.HTTPNotFound()
    return web.Response(body=render(request.app).encode(),
                        headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
