"""The event loop `kohtaamo serve` runs on: uvloop's by default (`[tuning] uvloop`),
asyncio's when turned off; either way it serves, reports its loop and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp
import pytest

from server.realtime.tuning import Tuning, loop_factory
from tests.conftest import write_config
from tests.server.process import serve
from tests.server.test_restarts import Reconnecting, join


@pytest.mark.parametrize(("extra", "loop"), [
    ("", "uvloop.Loop"),
    ("\n[tuning]\nuvloop = false\n", "asyncio.unix_events._UnixSelectorEventLoop"),
])
async def test_serve_runs_on_the_configured_loop(tmp_path: Path, extra: str, loop: str) -> None:
    """The server logs and labels its loop in /metrics, serves a join, and stops cleanly
    on SIGTERM (signal handling on that loop)."""
    config = write_config(tmp_path, extra=extra)
    async with serve(config, tmp_path / "k.db") as (url, proc), aiohttp.ClientSession() as http:
        async with http.get(f"{url}/metrics") as resp:
            assert f'kohtaamo_event_loop_info{{loop="{loop}"}} 1' in await resp.text()
        a, b = Reconnecting(url, (await join(http, url, "Aino"))["token"]), \
            Reconnecting(url, (await join(http, url, "Bert"))["token"])
        try:
            welcome = await a.connect()
            await b.connect()
            table = next(r["id"] for r in welcome["rooms"] if r["kind"] == "table")
            for client in (a, b):
                assert (await client.sio.call("enter", {"room": table}, timeout=5))["ok"]
            # a room broadcast: written straight to the transport by DirectManager
            assert (await a.sio.call("say", {"text": "hei"}, timeout=5))["ok"]
            await b.seen.wait_for("chat", lambda m: m.get("text") == "hei")
        finally:
            for client in (a, b):
                await client.sio.disconnect()
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            assert await proc.wait() == 0


def test_uvloop_is_the_default_and_stock_is_asyncio() -> None:
    """On by default; `Tuning.stock()` and `uvloop = false` leave asyncio's loop."""
    factory = loop_factory(Tuning())
    assert factory is not None
    made = factory()
    try:
        assert type(made).__module__ == "uvloop"
    finally:
        made.close()
    assert loop_factory(Tuning.stock()) is None
    assert loop_factory(Tuning.from_table({"uvloop": False})) is None
    with pytest.raises(ValueError, match="uvloop"):
        Tuning.from_table({"uvloop": "yes"})
