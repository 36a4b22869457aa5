"""The pool through the real server: `[media] janus = [two URLs]` makes the server
place calls over two Janus processes, relay the stage, and tell a page whose move
crossed servers to subscribe again (`media:ended`, reason `moved`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.config import load
from server.keys import CALLS
from server.media.managed import ManagedJanus, Secrets
from server.media.pool import PoolEngine
from tests.conftest import Server, running, write_config
from tests.media.conftest import settings
from tests.media.peers import Receiver
from tests.server.test_calls import hear, publish, seated


@pytest.fixture
async def two_janus(tmp_path: Path) -> AsyncIterator[list[ManagedJanus]]:
    """Two Janus processes with the same secrets, as a pool's external servers have."""
    keys = Secrets()
    started = []
    for name in ("janus-a", "janus-b"):
        managed = ManagedJanus(tmp_path / name, settings())
        managed.keys = keys
        await managed.start()
        started.append(managed)
    yield started
    for managed in started:
        await managed.stop()


def pool_config(tmp_path: Path, janus: list[ManagedJanus]) -> Path:
    urls = ", ".join(f'"{m.url}"' for m in janus)
    keys = janus[0].keys
    return write_config(tmp_path, media=f"""\
        janus = [{urls}]
        janus_api_secret = "{keys.api_secret}"
        janus_token_secret = "{keys.token_secret}"
        janus_admin_key = "{keys.admin_key}"
        """)


def pool_of(server: Server) -> PoolEngine:
    engine = server.app[CALLS].engine
    assert isinstance(engine, PoolEngine)
    return engine


async def test_the_stage_is_relayed_and_a_move_across_servers_resubscribes(
        tmp_path: Path, two_janus: list[ManagedJanus]) -> None:
    """Hanna speaks on the stage (server 0); Aino's table goes to server 1; Bert listens
    on server 0, Cecilia on server 1 through the relay. Cecilia's move to Aino's table
    keeps her connection (same server); Bert's is ended with `moved`, and his new
    subscription there hears Aino."""
    config = load(pool_config(tmp_path, two_janus), database=tmp_path / "k.db")
    async with running(config) as server:
        pool = pool_of(server)
        rooms = server.world().event("testfair").info()["rooms"]
        lobby, t1 = rooms[0]["id"], rooms[1]["id"]
        hanna = await server.staff("host", "Hanna")
        await hanna.connect()
        aino = await seated(server, "Aino", t1)
        bert = await seated(server, "Bert")
        cecilia = await seated(server, "Cecilia")

        speaker = await publish(hanna)
        talker = await publish(aino)
        assert (pool.home("testfair", lobby), pool.home("testfair", t1)) == (0, 1)

        bert_ears, cecilia_ears = Receiver(), Receiver()
        assert (await bert.call("media:subscribe", {}))["ok"]
        assert (await cecilia.call("media:subscribe", {}))["ok"]
        assert pool.member_of(bert.id, "subscriber") == 0
        assert pool.member_of(cecilia.id, "subscriber") == 1
        await hear(bert, bert_ears, 1)
        await bert_ears.grows(hanna.id, "audio", 25, timeout=15)
        await hear(cecilia, cecilia_ears, 1)
        await cecilia_ears.grows(hanna.id, "audio", 25, timeout=30)
        assert set(pool.relays) == {(hanna.id, 1)}

        assert (await cecilia.call("enter", {"room": t1}))["ok"]
        await hear(cecilia, cecilia_ears, 2)
        await cecilia_ears.grows(aino.id, "audio", 25, timeout=15)
        assert pool.member_of(cecilia.id, "subscriber") == 1
        assert cecilia.seen.of("media:ended") == []

        assert (await bert.call("enter", {"room": t1}))["ok"]
        ended = await bert.seen.wait_for("media:ended")
        assert ended == {"pc": "subscriber", "reason": "moved"}
        await bert_ears.close()
        bert_ears = Receiver()
        offers = len(bert.seen.of("media:offer"))
        assert (await bert.call("media:subscribe", {}))["ok"]
        assert pool.member_of(bert.id, "subscriber") == 1
        await hear(bert, bert_ears, offers + 1)
        await bert_ears.grows(aino.id, "audio", 25, timeout=15)
        for peer in (speaker, talker, bert_ears, cecilia_ears):
            await peer.close()
