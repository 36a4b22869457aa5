"""How calls end and come back through the real server and a real Janus: a kick, a
table closed, the stage heard by the lobby, and Janus killed mid-call (issue 11)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

from server.config import load
from server.keys import CALLS
from tests.conftest import running
from tests.media.peers import Receiver
from tests.server.process import serve
from tests.server.test_calls import hear, media_config, publish, seated, table_call


def tables(server) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    rooms = server.world().event("testfair").info()["rooms"]
    return rooms[1]["id"], rooms[2]["id"]


async def test_a_kick_ends_the_kicked_persons_call(tmp_path: Path) -> None:
    """Kicking a publisher takes their streams off the table at once: the table hears
    that nobody publishes and their engine connection is gone."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        t1, _ = tables(server)
        mod = await server.staff("moderator", "Moa")
        await mod.connect()
        call = await table_call(server, t1)
        aino, bert, ears, pc = call.aino, call.bert, call.ears, call.pc

        assert (await mod.call("mod:kick", {"person": aino.id, "reason": "spam"}))["ok"]
        await bert.seen.wait_for("media:streams", lambda d: d["publishers"] == [])
        media = server.app[CALLS].media(server.world().event("testfair"))
        assert aino.id not in media.publishers and aino.id not in media.subscribers
        # the engine re-offers Bert's subscriber without her
        await bert.seen.wait_for("media:offer", lambda _: len(bert.seen.of("media:offer")) > 1)
        latest = bert.seen.of("media:offer")[-1]
        assert aino.id not in {s["person"] for s in latest["streams"]}
        await pc.close()
        await ears.close()


async def test_closing_a_table_ends_its_call(tmp_path: Path) -> None:
    """A host's close moves everyone to the lobby: the publisher's connection ends with
    `room_closed` and the listener is re-fed for the lobby."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        t1, _ = tables(server)
        host = await server.staff("host", "Hanna")
        await host.connect()
        aino = await seated(server, "Aino", t1)
        bert = await seated(server, "Bert", t1)
        ears = Receiver()
        await bert.call("media:subscribe", {})
        pc = await publish(aino)
        await hear(bert, ears, 1)

        assert (await host.call("room:close", {"room": t1}))["ok"]
        ended = await aino.seen.wait_for("media:ended")
        assert ended == {"pc": "publisher", "reason": "room_closed"}
        media = server.app[CALLS].media(server.world().event("testfair"))
        assert media.publishers == {}
        assert media.subscribers[bert.id].audio == ()
        await pc.close()
        await ears.close()


async def test_the_stage_carries_a_host_to_the_lobby(tmp_path: Path) -> None:
    """A host speaks on the stage (the lobby) and two listeners there hear them; a
    listener at a table does not."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        t1, _ = tables(server)
        host = await server.staff("host", "Hanna")
        await host.connect()
        listeners = [await seated(server, name) for name in ("Aino", "Bert")]
        away = await seated(server, "Cecilia", t1)
        ears = [Receiver() for _ in listeners]
        for person in (*listeners, away):
            assert (await person.call("media:subscribe", {}))["ok"]
        pc = await publish(host, video=True)
        for person, receiver in zip(listeners, ears, strict=True):
            await hear(person, receiver, 1)
            await receiver.grows(host.id, "audio", 10, timeout=15)
            await receiver.grows(host.id, "video", 2, timeout=15)
        assert away.seen.of("media:offer") == []
        await pc.close()
        for receiver in ears:
            await receiver.close()


async def test_janus_killed_mid_call_is_noticed_and_calls_come_back(tmp_path: Path) -> None:
    """SIGKILL to the managed Janus: both sides hear `media:ended` (engine), the
    supervisor restarts it, and a new publish and subscribe carry audio again."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        t1, _ = tables(server)
        call = await table_call(server, t1)
        aino, bert, ears, pc = call.aino, call.bert, call.ears, call.pc

        engine = server.app[CALLS].engine
        assert engine is not None and engine.managed is not None
        assert engine.managed.pid is not None
        os.kill(engine.managed.pid, signal.SIGKILL)
        assert await aino.seen.wait_for("media:ended", timeout=15) == {
            "pc": "publisher", "reason": "engine"}
        assert await bert.seen.wait_for("media:ended", timeout=15) == {
            "pc": "subscriber", "reason": "engine"}
        await pc.close()
        await ears.close()

        # The page subscribes and publishes again by itself; here, by hand, once the
        # supervisor's restarted Janus answers.
        await until(lambda: engine.up, timeout=20)
        offers = len(bert.seen.of("media:offer"))
        assert (await bert.call("media:subscribe", {}))["ok"]
        ears = Receiver()
        pc = await publish(aino)
        await hear(bert, ears, offers + 1)
        await ears.grows(aino.id, "audio", 10, timeout=15)
        await pc.close()
        await ears.close()


async def until(condition: Callable[[], bool], timeout: float) -> None:
    """Wait for `condition` (checked every 50 ms), failing after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


def janus_pids(folder: Path) -> list[int]:
    """Janus processes started from a config folder under `folder`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline and cmdline[0].endswith(b"janus") and str(folder).encode() in b" ".join(
                cmdline):
            pids.append(int(entry.name))
    return pids


async def test_a_server_killed_takes_its_janus_with_it(tmp_path: Path) -> None:
    """`kill -9` of the server ends its managed Janus too, so a restarted server does
    not meet an orphan holding its RTP ports."""
    config = media_config(tmp_path)
    async with serve(config, tmp_path / "k.db") as (_url, proc):
        await until(lambda: len(janus_pids(tmp_path)) == 1, timeout=10)
        proc.kill()
        await proc.wait()
        await until(lambda: janus_pids(tmp_path) == [], timeout=10)
