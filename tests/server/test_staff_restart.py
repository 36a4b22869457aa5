"""What hosts and moderators change survives a restart and wins over config.toml."""

from __future__ import annotations

from pathlib import Path

from server.config import load
from tests.conftest import running, write_config
from tests.server.test_staff import get, refusal, tables


async def test_staff_changes_survive_a_restart(tmp_path: Path) -> None:
    """Rooms, timer, mutes with their end, bans, the log and flags hold across a restart."""
    config = load(write_config(tmp_path), database=tmp_path / "kohtaamo.db")
    async with running(config) as server:
        host = await server.staff("host", "Hanna")
        mod = await server.staff("moderator", "Mika")
        await host.connect()
        await mod.connect()
        anna, bert, cecilia = [await server.connected(n) for n in ("Anna", "Bert", "Cecilia")]
        first, second = tables(await anna.welcome())[:2]
        created = (await host.call("room:create", {"title": "Uusi", "theme": "New",
                                                   "capacity": 7}))["room"]
        assert (await host.call("room:update", {"room": first, "title": "Työ 2",
                                                "capacity": None}))["ok"]
        assert (await host.call("room:close", {"room": second}))["ok"]
        timer = (await host.call("timer:set", {"seconds": 3600, "label": "Päivä"}))["timer"]
        until = (await mod.call("mod:mute", {"person": anna.id, "minutes": 30}))["until"]
        assert (await mod.call("mod:mute", {"person": cecilia.id}))["ok"]
        assert (await mod.call("mod:kick", {"person": bert.id, "reason": "Roskaa",
                                            "ban": True}))["ok"]
        flag = (await cecilia.call("flag", {"person": anna.id, "reason": "Huutaa"}))["flag"]
        _, log_before = await get(server, "/api/events/testfair/moderation", host.token)
        assert len(log_before) == 7

    async with running(config) as server:
        for person in (anna, cecilia):  # the same tokens, now at the restarted server
            person.server, person.seen = server, type(person.seen)()
            server.people.append(person)
        event = server.world().event("testfair")
        rooms = {r.id: r for r in event.rooms.values()}
        assert (rooms[created["id"]].title, rooms[created["id"]].capacity) == ("Uusi", 7)
        assert (rooms[first].title, rooms[first].capacity) == ("Työ 2", None)
        assert rooms[second].open is False
        assert event.timer is not None and event.timer.wire() == timer
        assert (await anna.connect()) is not None
        me = (await anna.welcome())["me"]
        assert me["muted"] is True and me["muted_until"] == until
        assert (await anna.call("say", {"text": "hei"}))["error"]["code"] == "muted"
        await cecilia.connect()
        assert (await cecilia.call("say", {"text": "hei"}))["error"]["code"] == "muted"
        assert (await refusal(server, bert.token))["code"] == "banned"
        async with server.http.patch(f"{server.url}/api/me", json={"title": "x"},
                                     headers={"Authorization": f"Bearer {bert.token}"}) as r:
            assert r.status == 403  # a banned person may only read, export and erase
        _, log_after = await get(server, "/api/events/testfair/moderation", host.token)
        assert log_after == log_before
        _, flags = await get(server, "/api/events/testfair/flags", mod.token)
        assert [f["flag"] for f in flags] == [flag]
        assert (await anna.call("enter", {"room": second}))["error"]["code"] == "room_closed"


async def test_database_wins_over_a_changed_config(tmp_path: Path) -> None:
    """After a host renames a table, editing config.toml does not bring the old title back."""
    path = write_config(tmp_path)
    config = load(path, database=tmp_path / "kohtaamo.db")
    async with running(config) as server:
        host = await server.staff("host", "Hanna")
        await host.connect()
        table = tables(await host.welcome())[0]
        assert (await host.call("room:update", {"room": table, "title": "Live"}))["ok"]
    path.write_text(path.read_text(encoding="utf-8").replace("Työllisyys", "Config"),
                    encoding="utf-8")
    async with running(load(path, database=tmp_path / "kohtaamo.db")) as server:
        titles = [r.title for r in server.world().event("testfair").rooms.values()]
        assert "Live" in titles and "Config" not in titles
