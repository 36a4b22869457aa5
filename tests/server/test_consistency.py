"""What is stored agrees with memory (issue 10, points 4 and 6): staff changes and their
log rows commit together or not at all, before memory changes; the report sees every
acknowledged move."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from rooms.cards import CardRequest, Exchange
from rooms.model import Person as Someone
from rooms.model import Role
from rooms.profile import Profile
from rooms.staff import Action
from server.keys import CONFIG
from server.store.storage import Storage
from tests.conftest import Person, Server
from tests.server.test_staff import rows, settle, tables


def inject(server: Server, sql: str) -> None:
    """Change the server's SQLite file from outside, as another process would."""
    con = sqlite3.connect(server.app[CONFIG].database)
    try:
        con.execute(sql)
        con.commit()
    finally:
        con.close()


async def report(server: Server, host: Person) -> dict[str, Any]:
    async with server.http.get(f"{server.url}/api/events/testfair/report",
                               headers={"Authorization": f"Bearer {host.token}"}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()  # type: ignore[no-any-return]


async def test_a_failed_staff_write_changes_nothing(server: Server) -> None:
    """When a staff action's write fails (a trigger refuses its log row), the actor gets
    `internal`, memory is unchanged, and no later commit lands half of it."""
    mod = await server.staff("moderator", "Mia")
    await mod.connect()
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna = await server.connected("Anna")
    bert = await server.connected("Bert")
    event = server.world().event("testfair")
    rooms_before = set(event.rooms)
    inject(server, "CREATE TRIGGER refuse_log BEFORE INSERT ON moderation_log"
                   " BEGIN SELECT RAISE(ABORT, 'injected failure'); END")

    for actor, name, payload in [
        (mod, "mod:mute", {"person": anna.id}),
        (mod, "mod:kick", {"person": anna.id, "reason": "x", "ban": True}),
        (host, "room:create", {"title": "Uusi"}),
        (host, "timer:set", {"seconds": 60, "label": "Kierros"}),
    ]:
        reply = await actor.call(name, payload)
        assert not reply["ok"] and reply["error"]["code"] == "internal", (name, reply)

    # another write commits meanwhile: it must not carry a half of the failed ones
    assert (await bert.call("card:request", {"to": anna.id}))["ok"]
    assert (await anna.call("say", {"text": "still here, still talking"}))["ok"]
    await settle(anna)
    assert anna.seen.of("muted") == [] and anna.seen.of("kicked") == []
    me = event.people[anna.id]
    assert (me.muted, me.banned, event.timer, set(event.rooms)) == (
        False, False, None, rooms_before)
    [stored] = await rows(server, "SELECT muted, banned FROM people WHERE id = ?", anna.id)
    assert stored == {"muted": 0, "banned": 0}
    assert await rows(server, "SELECT * FROM moderation_log") == []
    assert await rows(server, "SELECT * FROM timers") == []
    assert len(await rows(server, "SELECT * FROM rooms")) == len(rooms_before)

    inject(server, "DROP TRIGGER refuse_log")
    assert (await mod.call("mod:mute", {"person": anna.id}))["ok"]
    await anna.seen.wait_for("muted")
    assert me.muted
    [stored] = await rows(server, "SELECT muted FROM people WHERE id = ?", anna.id)
    assert stored["muted"] == 1


async def test_concurrent_staff_actions_and_exchanges_keep_log_rows_with_changes(
    server: Server,
) -> None:
    """Mutes racing card exchanges, some of which fail and roll back: every mute logged is
    stored and in memory, every one not logged is in neither, and stored exchanges are
    exactly the contacts in memory."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    targets = [await server.connected(f"Target{i}") for i in range(12)]
    pairs = [(await server.connected(f"A{i}"), await server.connected(f"B{i}"))
             for i in range(12)]
    welcome = await pairs[0][0].welcome()
    table = tables(welcome)[1]
    # exchanges asked from the lobby fail; those asked from the table succeed
    for a, _ in pairs[::2]:
        assert (await a.call("enter", {"room": table}))["ok"]
    for a, b in pairs:
        assert (await a.call("card:request", {"to": b.id}))["ok"]
    inject(server, "CREATE TRIGGER refuse_lobby BEFORE INSERT ON exchanges"
                   f" WHEN NEW.room = '{welcome['event']['lobby']}'"
                   " BEGIN SELECT RAISE(ABORT, 'injected failure'); END")

    async def answer(a: Person, b: Person) -> Any:
        request = (await b.seen.wait_for("card:requested", lambda d: d["from"]["id"] == a.id))
        return await b.call("card:respond", {"request": request["request"], "accept": True})

    calls = [host.call("mod:mute", {"person": t.id}) for t in targets]
    calls += [answer(a, b) for a, b in pairs]
    replies = await asyncio.gather(*calls)
    assert all(r["ok"] for r in replies[:len(targets)]), replies
    answered = replies[len(targets):]
    assert [r["ok"] for r in answered] == [i % 2 == 0 for i in range(len(pairs))], answered

    event = server.world().event("testfair")
    logged = {r["target"] for r in await rows(
        server, "SELECT target FROM moderation_log WHERE action = 'mod:mute'")}
    stored = {r["id"] for r in await rows(server, "SELECT id FROM people WHERE muted = 1")}
    in_memory = {p.id for p in event.people.values() if p.muted}
    assert logged == stored == in_memory == {t.id for t in targets}
    exchanged = {frozenset((r["a"], r["b"])) for r in await rows(
        server, "SELECT a, b FROM exchanges")}
    assert exchanged == event.contacts == {frozenset((a.id, b.id)) for a, b in pairs[::2]}
    pending = {r["id"] for r in await rows(server, "SELECT id FROM card_requests")}
    assert pending == set(event.card_requests) and len(pending) == len(pairs) // 2


async def test_report_counts_a_visit_acknowledged_just_before(server: Server) -> None:
    """Entering a table and asking for the report right after: the visit is counted."""
    host = await server.staff("host", "Hanna")
    anna = await server.connected("Anna")
    table = tables(await anna.welcome())[0]
    assert (await anna.call("enter", {"room": table}))["ok"]
    body = await report(server, host)
    row = next(r for r in body["rooms"] if r["room"] == table)
    assert (row["visits"], row["unique_visitors"]) == (1, 1)


async def test_report_flushes_without_writing_a_visit_twice(server: Server) -> None:
    """Reports asked together with the periodic flush write each visit once."""
    host = await server.staff("host", "Hanna")
    people = [await server.connected(f"P{i}") for i in range(4)]
    table = tables(await people[0].welcome())[1]
    for person in people:
        assert (await person.call("enter", {"room": table}))["ok"]
    bodies = await asyncio.gather(*(report(server, host) for _ in range(5)))
    for body in bodies:
        row = next(r for r in body["rooms"] if r["room"] == table)
        assert row["visits"] == 4
    assert len(await rows(server, "SELECT * FROM visits WHERE room = ?", table)) == 4



async def test_a_second_writer_cannot_split_an_open_transaction(tmp_path: Path) -> None:
    """While one transaction is open, another writer waits: its rollback cannot undo the
    first's writes, nor its commit land a half the first then rolls back."""
    storage = await Storage.open(tmp_path / "kohtaamo.db")
    try:
        await storage.ensure_event("fair", "Fair", "", "", [], 1)
        anna, bert = [await storage.create_person("fair", Role.ATTENDEE, Profile(name=n),
                                                  n, 1) for n in ("a", "b")]
        await storage.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON exchanges"
                                 " BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
        people = {p: Someone(p, Role.ATTENDEE, Profile(name=p)) for p in (anna, bert)}
        exchange = Exchange("x1", anna, bert, None, "", 2, "c1")
        request = CardRequest("c2", bert, anna, None, "", 2)
        inside, trying = asyncio.Event(), asyncio.Event()

        async def staff_change(fail: bool) -> None:
            async with storage.transaction():
                await storage.staff.set_mute(anna, True, None)
                inside.set()
                await trying.wait()
                for _ in range(20):  # let the other writer run as far as it can
                    await asyncio.sleep(0)
                if fail:
                    raise RuntimeError("the log row could not be written")
                await storage.staff.log("fair", Action(2, bert, "mod:mute", anna, {}))

        async def other_writer(write: Callable[[], Awaitable[None]]) -> None:
            await inside.wait()
            trying.set()
            await write()

        async def failing_exchange() -> None:
            with pytest.raises(sqlite3.IntegrityError):
                await storage.cards.save_exchange("fair", exchange, people[anna], people[bert])

        # 1: the other's rollback must not undo the open transaction's write
        await asyncio.gather(staff_change(False), other_writer(failing_exchange))
        assert await muted(storage, anna) == 1
        assert len(await storage.staff.moderation("fair", 10)) == 1

        # 2: the other's commit must not land a half that is then rolled back
        await storage.staff.set_mute(anna, False, None)
        inside.clear()
        trying.clear()
        with pytest.raises(RuntimeError):
            await asyncio.gather(staff_change(True), other_writer(
                lambda: storage.cards.save_request("fair", request)))
        assert await muted(storage, anna) == 0
        assert len(await storage.staff.moderation("fair", 10)) == 1
        async with storage.db.execute("SELECT id FROM card_requests") as cur:
            assert [r["id"] for r in await cur.fetchall()] == ["c2"]
    finally:
        await storage.close()


async def muted(storage: Storage, person_id: str) -> int:
    async with storage.db.execute("SELECT muted FROM people WHERE id = ?", (person_id,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row["muted"])
