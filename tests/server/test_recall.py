"""A recall on the real server (`[tuning] bulk_recall` on and off): everyone ends up
in the lobby, those already there hear each arrival, each mover hears `moved` once
with the whole lobby in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, load
from server.realtime.tuning import Tuning
from tests.conftest import Person, running, write_config


async def settle(*people: Person) -> None:
    """A round trip on each connection, so every emit sent to them before has arrived."""
    for person in people:
        assert (await person.call("status", {"status": "available"}))["ok"]


@pytest.mark.parametrize("bulk", [True, False])
async def test_recall_moves_everyone_and_tells_the_lobby(tmp_path: Path, bulk: bool) -> None:
    """The lobby hears a room:joined per mover; movers get moved with everyone in it
    (and, recalled in one pass, no room:joined for each other)."""
    path = write_config(tmp_path, extra=f"\n[tuning]\nbulk_recall = {str(bulk).lower()}\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        host = await srv.staff("host", "Hanna")
        await host.connect()
        lea = await srv.connected("Lea")  # stays in the lobby
        movers = [await srv.connected(name) for name in ("Anna", "Bert", "Cecilia")]
        tables = [r["id"] for r in (await lea.welcome())["rooms"] if r["kind"] == "table"]
        for k, person in enumerate(movers):
            assert (await person.call("enter", {"room": tables[k % len(tables)]}))["ok"]
        await settle(lea, *movers)
        before = {p.id: len(p.seen.events) for p in movers}
        assert await host.call("recall", {}) == {"ok": True, "moved": 3}
        ids = {p.id for p in movers}
        everyone = ids | {host.id, lea.id}
        for person in movers:
            moved = await person.seen.wait_for("moved")
            assert moved["reason"] == "recall" and moved["by"] == "Hanna"
            if bulk:  # one at a time, the first's lobby has not the others yet
                assert {o["id"] for o in moved["room"]["occupants"]} == everyone
            points = [(o["x"], o["y"]) for o in moved["room"]["occupants"]]
            assert len(set(points)) == len(points)
        await settle(lea, *movers)
        joined = {m["person"]["id"] for m in lea.seen.of("room:joined")}
        assert ids <= joined
        if bulk:
            for person in movers:
                assert not [m for n, m in person.seen.events[before[person.id]:]
                            if n == "room:joined"]
        # the lobby works for them: chat there reaches a mover
        assert (await lea.call("say", {"text": "tervetuloa"}))["ok"]
        for person in movers:
            await person.seen.wait_for("chat", lambda m: m["text"] == "tervetuloa")


def test_bulk_recall_is_a_tuning_setting(tmp_path: Path) -> None:
    """`[tuning] bulk_recall` takes true or false, is on by default and off in stock."""
    assert Tuning().bulk_recall and not Tuning.stock().bulk_recall
    path = write_config(tmp_path, extra='\n[tuning]\nbulk_recall = "yes"\n')
    with pytest.raises(ConfigError):
        load(path)
    assert not load(write_config(tmp_path, extra="\n[tuning]\nbulk_recall = false\n"),
                    database=tmp_path / "k.db").tuning.bulk_recall
