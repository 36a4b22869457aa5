"""Retention (issue 10, point 18): days after an event's end its people, cards and logs
are erased and its report is kept as aggregate figures; the clock is moved, never slept."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from server.config import ConfigError, load
from server.keys import RETENTION
from server.retention import DAY_MS, Retention
from server.visits import VisitLog
from server.world import now_ms
from tests.conftest import Person, Server, running, write_config
from tests.server.test_cards import exchange

#: Every table that holds people of an event or what they did.
PERSONAL = ("people", "card_requests", "exchanges", "visits", "moderation_log", "flags")


def with_event_fields(path: Path, fields: str) -> Path:
    """Add `fields` (TOML lines) to the test fair's [[events]] table."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('description = "A fair for tests"\n',
                                 f'description = "A fair for tests"\n{fields}\n'),
                    encoding="utf-8")
    return path


async def count(server: Server, table: str) -> int:
    async with server.world().storage.db.execute(
            f"SELECT COUNT(*) FROM {table} WHERE event = 'testfair'") as cur:
        return int((await cur.fetchone())[0])


async def contacts_left(server: Server) -> int:
    async with server.world().storage.db.execute("SELECT COUNT(*) FROM contacts") as cur:
        return int((await cur.fetchone())[0])


async def report(server: Server, host: Person) -> tuple[int, Any]:
    async with server.http.get(f"{server.url}/api/events/testfair/report",
                               headers={"Authorization": f"Bearer {host.token}"}) as r:
        return r.status, await r.json()


async def busy_event(server: Server) -> tuple[Person, list[Person]]:
    """A host and three attendees who sat at a table, chatted, exchanged cards, flagged
    and were moderated: something in every table retention erases."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    aino, bert = await server.connected("Aino", email="aino@example.fi"), \
        await server.connected("Bert")
    cai = await server.connected("Cai")
    table = next(r["id"] for r in (await aino.welcome())["rooms"] if r["kind"] == "table")
    for who in (aino, bert):
        assert (await who.call("enter", {"room": table}))["ok"]
    assert (await aino.call("say", {"text": "hei kaikki"}))["ok"]
    await exchange(aino, bert)
    assert (await aino.call("card:request", {"to": cai.id}))["ok"]
    assert (await cai.call("flag", {"person": bert.id, "reason": "spam"}))["ok"]
    assert (await host.call("mod:mute", {"person": bert.id, "minutes": 5}))["ok"]
    await VisitLog(server.world()).flush()
    return host, [aino, bert, cai]


async def leave(server: Server, people: list[Person]) -> None:
    """Everyone disconnects and, past the grace period, is off the floor."""
    for person in people:
        await person.close()
    event = server.world().event("testfair")
    async with asyncio.timeout(10):
        while any(p.present for p in event.people.values()):
            await asyncio.sleep(0.02)


async def test_retention_erases_people_cards_and_logs_and_keeps_the_report(
        tmp_path: Path) -> None:
    """With the clock run forward past `[retention] days` after the last activity, the
    daily task erases everything personal (never while people are on the floor); the report
    is served from the aggregate, attendees can no longer join, and a restart keeps it so."""
    config = load(write_config(tmp_path, grace=0.2, extra="[retention]\ndays = 30\n"),
                  database=tmp_path / "k.db")
    async with running(config) as server:
        host, people = await busy_event(server)
        start = now_ms()
        retention = server.app[RETENTION]
        assert await retention.sweep(start + 29 * DAY_MS) == []
        assert await retention.sweep(start + 31 * DAY_MS) == []  # people are on the floor
        assert await count(server, "people") == 4
        await leave(server, [host, *people])
        await VisitLog(server.world()).flush()
        _, before = await report(server, host)
        assert before["attendees"] == 3 and before["exchanges"] == 1
        assert before["rooms"][0]["visits"] == 4 and before["rooms"][1]["mean_dwell_s"] >= 0
        # the daily task, on a clock 31 days ahead and a short period
        daily = Retention(server.world(), server.app[RETENTION].deliver,
                          clock=lambda: start + 31 * DAY_MS, period=0.01)
        daily.start()
        try:
            async with asyncio.timeout(10):
                while "testfair" not in server.world().archived:
                    await asyncio.sleep(0.01)
        finally:
            await daily.stop()
        for table in PERSONAL:
            assert await count(server, table) == 0, table
        assert await contacts_left(server) == 0
        event = server.world().event("testfair")
        assert event.people == {} and event.card_requests == {} and event.contacts == set()
        assert all(not room.chat for room in event.rooms.values())
        status, _ = await report(server, host)
        assert status == 401  # the host was erased too
        reader = await server.staff("host", "Reader")
        status, after = await report(server, reader)
        assert status == 200 and after == before
        async with server.http.post(f"{server.url}/api/events/testfair/join",
                                    json={"name": "Late"}) as r:
            assert r.status == 409 and (await r.json())["error"]["code"] == "conflict"
    async with running(config) as server:
        assert "testfair" in server.world().archived
        status, again = await report(server, reader)
        assert status == 200 and again == before
        assert await count(server, "people") == 1  # the reader only


async def test_retention_at_start_up_after_a_configured_end(tmp_path: Path) -> None:
    """An event whose `ends_at` plus `retention_days` has passed is erased when the server
    starts, before anyone is served; the old tokens stop working."""
    path = write_config(tmp_path)
    async with running(load(path, database=tmp_path / "k.db")) as server:
        _host, people = await busy_event(server)
    with_event_fields(path, 'ends_at = "2001-05-20T18:00:00+03:00"\nretention_days = 7')
    async with running(load(path, database=tmp_path / "k.db")) as server:
        assert "testfair" in server.world().archived
        for table in PERSONAL:
            assert await count(server, table) == 0, table
        async with server.http.get(f"{server.url}/api/me", headers={
                "Authorization": f"Bearer {people[0].token}"}) as r:
            assert r.status == 401
        reader = await server.staff("host", "Reader")
        status, body = await report(server, reader)
        assert status == 200 and body["attendees"] == 3 and body["exchanges"] == 1


async def test_an_end_in_the_future_keeps_everything(tmp_path: Path) -> None:
    """Before `ends_at` plus the retention days nothing is erased, whatever the activity."""
    path = with_event_fields(write_config(tmp_path), "ends_at = 2999-01-01T00:00:00Z")
    config = load(path, database=tmp_path / "k.db", retention_days=0)
    async with running(config) as server:
        await server.join("Aino")
        assert await server.app[RETENTION].sweep(now_ms() + 365 * DAY_MS) == []
        assert await count(server, "people") == 1


@pytest.mark.parametrize("fields", [
    'ends_at = "next friday"', "ends_at = 2025-05-20", "retention_days = -1",
    'retention_days = "30"'])
def test_bad_retention_settings_stop_start_up(tmp_path: Path, fields: str) -> None:
    """A malformed `ends_at` or `retention_days` is a configuration error, not a guess."""
    with pytest.raises(ConfigError):
        load(with_event_fields(write_config(tmp_path), fields))
