"""`/metrics`: the contract's Prometheus series, and who may read them."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from server.config import Config, load
from server.http.health import allowed
from server.keys import GC_PAUSES, TICK
from server.metrics import TICK_BUCKETS, GcPauses, Histogram, Requests
from server.net import parse_networks
from tests.conftest import Server, running, write_config


async def scrape(server: Server) -> str:
    async with server.http.get(f"{server.url}/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return await resp.text()


async def test_metrics_show_people_ticks_and_requests(server: Server) -> None:
    """Connected people per event, tick histogram, late ticks and requests by outcome."""
    a = await server.connected("Anna")
    welcome = await a.welcome()
    assert (await a.call("enter", {"room": welcome["rooms"][1]["id"]}))["ok"]
    assert (await a.call("say", {"text": "hello"}))["ok"]
    assert not (await a.call("say", {"text": "   "}))["ok"]
    await a.emit("move", {"x": 10, "y": 10})
    tick = server.app[TICK]
    for _ in range(100):  # wait for at least one tick, bounded
        if tick.work.count:
            break
        await asyncio.sleep(0.05)
    for _ in range(100):  # and for the fire-and-forget move to be counted
        text = await scrape(server)
        if 'name="move",outcome="received"' in text:
            break
        await asyncio.sleep(0.05)
    assert 'kohtaamo_people_connected{event="testfair"} 1' in text
    assert "# TYPE kohtaamo_tick_seconds histogram" in text
    assert 'kohtaamo_tick_seconds_bucket{le="+Inf"}' in text
    assert "kohtaamo_tick_seconds_count " in text
    assert "kohtaamo_ticks_late_total " in text
    assert 'kohtaamo_requests_total{name="say",outcome="ok"} 1' in text
    assert 'kohtaamo_requests_total{name="say",outcome="bad_request"} 1' in text
    assert 'kohtaamo_requests_total{name="enter",outcome="ok"} 1' in text
    assert 'kohtaamo_requests_total{name="move",outcome="received"} 1' in text


def test_metrics_refused_to_others() -> None:
    """Only loopback or a configured address may read /metrics."""
    def from_(peer: str | None) -> web.BaseRequest:
        return make_mocked_request("GET", "/metrics").clone(remote=peer)

    allow = Config(metrics_allow=parse_networks(["192.0.2.7"], "metrics_allow"))
    assert allowed(from_("127.0.0.1"), Config())
    assert allowed(from_("::1"), Config())
    assert not allowed(from_("192.0.2.7"), Config())
    assert not allowed(from_(None), Config())
    assert allowed(from_("192.0.2.7"), allow)


def test_histogram_buckets_are_cumulative() -> None:
    """Each bucket counts every observation at or below its bound."""
    h = Histogram(TICK_BUCKETS)
    for v in (0.0001, 0.003, 0.003, 5.0):
        h.observe(v)
    lines = dict(line.rsplit(" ", 1) for line in h.lines("t"))
    assert lines['t_bucket{le="0.0005"}'] == "1"
    assert lines['t_bucket{le="0.005"}'] == "3"
    assert lines['t_bucket{le="1.0"}'] == "3"
    assert lines['t_bucket{le="+Inf"}'] == "4"
    assert lines["t_count"] == "4"


def test_request_names_are_bounded() -> None:
    """Unknown event names are counted under one label, so clients cannot grow the series."""
    r = Requests()
    r.count("no-such-thing-1", {"ok": False, "error": {"code": "bad_request"}})
    r.count("no-such-thing-2", {"ok": False, "error": {"code": "bad_request"}})
    assert r.counts == {("other", "bad_request"): 2}


async def test_metrics_allow_is_read_from_config(tmp_path: Path) -> None:
    """`metrics_allow` in [server] is loaded, and loopback still reads /metrics."""
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[server]\n", '[server]\nmetrics_allow = ["192.0.2.7"]\n', 1),
                    encoding="utf-8")
    config = load(path, database=tmp_path / "k.db")
    assert config.metrics_allow == (ipaddress.ip_network("192.0.2.7"),)
    async with running(config) as srv:
        assert "kohtaamo_people_connected" in await scrape(srv)


async def test_collector_pauses_are_measured_while_the_app_runs(server: Server) -> None:
    """A full collection shows up as a generation-2 pause; the callback goes with the app."""
    pauses = server.app[GC_PAUSES]
    assert pauses._callback in gc.callbacks
    before = pauses.by_generation[2].count
    gc.collect()
    assert pauses.by_generation[2].count == before + 1
    text = await scrape(server)
    assert 'kohtaamo_gc_pause_seconds_count{generation="2"} ' in text
    assert 'kohtaamo_gc_pause_seconds_bucket{generation="0",le="+Inf"} ' in text


def test_collector_callback_is_removed_on_stop() -> None:
    """Stopping removes the callback, so apps made and shut down in one process
    (the tests) do not pile callbacks up."""
    pauses = GcPauses()
    pauses.start()
    pauses.stop()
    pauses.stop()  # twice is harmless
    assert pauses._callback not in gc.callbacks
