"""Networking rounds on the real server with real msgpack clients (contract v1.2, issue 13)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from server.config import load
from tests.conftest import Person, Server, running, write_config

#: Twelve people of mixed languages: no group can mix the Arabic and the Swedish
#: speakers, but the three bridges speak with both sides.
LANGUAGES = [["fi", "ar"]] * 4 + [["sv", "en"]] * 5 + [["fi", "en"]] * 3
INTERESTS = [["youth work"], ["housing"], ["employment"], ["youth work", "housing"]] * 3


async def crowd(server: Server) -> list[Person]:
    people = []
    for i, (languages, interests) in enumerate(zip(LANGUAGES, INTERESTS, strict=True)):
        people.append(await server.connected(f"P{i:02d}", languages=languages,
                                             interests=interests))
    return people


async def seated(people: list[Person], round_no: int) -> dict[str, dict[str, Any]]:
    return {p.id: await p.seen.wait_for("round:seated", lambda d: d["round"] == round_no)
            for p in people}


async def ended(people: list[Person], round_no: int) -> dict[str, dict[str, Any]]:
    return {p.id: await p.seen.wait_for("round:ended", lambda d: d["round"] == round_no)
            for p in people}


def shared(groups: list[set[str]], langs: dict[str, set[str]]) -> bool:
    return all(set.intersection(*(langs[m] for m in g)) for g in groups)


async def get(server: Server, path: str, token: str) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with server.http.get(f"{server.url}{path}", headers=headers) as resp:
        return resp.status, await resp.json()


async def test_three_rounds_with_mixed_languages_run_to_the_end(server: Server) -> None:
    """A series of three rounds seats all twelve in groups sharing a language, warns,
    tells mates, returns everyone to the lobby, and the report counts the meetings."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    people = await crowd(server)
    langs = {p.id: set(lang) for p, lang in zip(people, LANGUAGES, strict=True)}
    ack = await host.call("rounds:start", {"rounds": 3, "minutes": 1, "group_size": 4})
    assert ack["ok"], ack
    # the first round is due at once and seated by the next tick
    assert (ack["series"]["round"], ack["series"]["of"]) == (0, 3)
    all_pairs: set[frozenset[str]] = set()
    for round_no in (1, 2, 3):
        got = await seated(people, round_no)
        groups = {frozenset(p["id"] for p in d["group"]) for d in got.values()}
        assert sorted(len(g) for g in groups) == [4, 4, 4]
        assert set().union(*groups) == set(langs)  # everyone exactly once
        assert shared([set(g) for g in groups], langs), round_no
        for pid, data in got.items():
            room = data["room"]["room"]["id"]
            assert pid in {o["id"] for o in data["room"]["occupants"]} or data["group"]
            assert server.world().event("testfair").people[pid].room == room
        # a one-minute round is warned at once, a tick after it starts
        for p in people:
            await p.seen.wait_for("round:warning", lambda d, n=round_no: d["round"] == n)
        assert (await host.call("rounds:skip", {}))["ok"]
        mates = await ended(people, round_no)
        for pid, data in mates.items():
            group = next(g for g in groups if pid in g)
            assert {m["id"] for m in data["mates"]} == group - {pid}
            all_pairs |= {frozenset((pid, m)) for m in group - {pid}}
        if round_no < 3:
            assert (await host.call("rounds:skip", {}))["ok"]  # the next round now
    await host.seen.wait_for("rounds", lambda d: d is None)
    for p in people:
        moved = await p.seen.wait_for("moved", lambda d: d["reason"] == "round_end")
        assert moved["room"]["room"]["kind"] == "lobby"
    status, report = await get(server, "/api/events/testfair/report", host.token)
    assert status == 200
    assert report["round_pairs_new"] == len(all_pairs)
    assert report["people_met_per_attendee"]["max"] <= 9
    assert report["met_five_or_more"] > 0
    status, met = await get(server, "/api/me/met", people[0].token)
    assert status == 200 and {m["via"] for m in met} == {"round"}
    assert {m["person"]["id"] for m in met} == {
        next(iter(pair - {people[0].id})) for pair in all_pairs if people[0].id in pair}
    assert all("email" not in m["person"] for m in met)
    async with server.world().storage.db.execute(
            "SELECT action FROM moderation_log WHERE action LIKE 'rounds:%'") as cur:
        logged = [r[0] for r in await cur.fetchall()]
    assert logged[0] == "rounds:start" and logged.count("rounds:skip") == 5


async def test_bad_series_requests_are_refused_and_change_nothing(server: Server) -> None:
    """Attendees cannot run rounds; impossible settings and bad payloads are refused."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna = await server.connected("Anna")
    await server.connected("Bert")
    forbidden = await anna.call("rounds:start", {"rounds": 1, "minutes": 5, "group_size": 2})
    assert forbidden["error"]["code"] == "forbidden"
    for payload in ({"rounds": 1, "minutes": 5, "group_size": 3},   # more seats than people
                    {"rounds": 1, "minutes": 0, "group_size": 2},
                    {"rounds": 1, "minutes": 5, "group_size": 9},
                    {"rounds": "1", "minutes": 5, "group_size": 2},
                    {"rounds": 1, "minutes": 5, "group_size": 2, "rooms": "t1"},
                    {"rounds": 1, "minutes": 5, "group_size": 2, "extra": 1},
                    [1, 2]):
        ack = await host.call("rounds:start", payload)
        assert ack["error"]["code"] == "bad_request", (payload, ack)
    assert (await host.call("rounds:pause", {}))["error"]["code"] == "not_found"
    assert (await anna.call("rounds:opt", {"in": "yes"}))["error"]["code"] == "bad_request"
    assert (await anna.call("rounds:opt", {"in": False}))["ok"]
    # with Anna out, one person is left: no series
    ack = await host.call("rounds:start", {"rounds": 1, "minutes": 5, "group_size": 2})
    assert ack["error"]["code"] == "bad_request"
    assert server.world().event("testfair").rounds.series is None


async def test_a_restart_ends_the_series_and_keeps_the_meetings(tmp_path: Path) -> None:
    """The series lives in memory: after a restart people are in the lobby, no series
    runs, the round tables are gone, and whom they met is still listed."""
    config = load(write_config(tmp_path), database=tmp_path / "k.db")
    async with running(config) as server:
        host = await server.staff("host", "Hanna")
        await host.connect()
        people = [await server.connected(f"P{i}", languages=["fi"]) for i in range(4)]
        assert (await host.call("rounds:start",
                                {"rounds": 2, "minutes": 10, "group_size": 2}))["ok"]
        first = await seated(people, 1)
        round_rooms = {d["room"]["room"]["id"] for d in first.values()}
        tokens = [p.token for p in people]
    async with running(config) as server:
        event = server.world().event("testfair")
        assert event.rounds.series is None and not round_rooms & set(event.rooms)
        again = Person(server, tokens[0], {"id": people[0].id})
        server.people.append(again)
        welcome = await again.connect()
        assert welcome is not None and welcome["rounds"] is None
        lobby = next(r["id"] for r in welcome["rooms"] if r["kind"] == "lobby")
        assert welcome["me"]["room"] == lobby
        status, met = await get(server, "/api/me/met", tokens[0])
        assert status == 200 and len(met) == 1 and met[0]["via"] == "round"
        # the pair met is known to the next series' grouping
        assert people[0].id in event.rounds.met


async def test_suggestions_rank_what_is_shared_and_skip_people_met(server: Server) -> None:
    """Suggestions list present attendees not met, most shared interests first, with why."""
    me = await server.connected("Me", interests=["housing", "youth work"], languages=["fi"])
    best = await server.connected("Best", interests=["Housing", "youth work"])
    some = await server.connected("Some", interests=["housing"])
    await server.connected("None", interests=["sports"], languages=["so"])
    status, found = await get(server, "/api/me/suggestions", me.token)
    assert status == 200
    assert [s["person"]["id"] for s in found] == [best.id, some.id]
    assert found[0]["interests"] == ["housing", "youth work"]
    server.world().event("testfair").rounds.met[me.id] = {best.id}
    status, found = await get(server, "/api/me/suggestions", me.token)
    assert [s["person"]["id"] for s in found] == [some.id]


async def test_sitting_close_at_a_table_long_enough_counts_as_met(tmp_path: Path) -> None:
    """Two people close at one table for `[rounds] met_after_seconds` have met (via
    table); someone across the room has not."""
    config = load(write_config(tmp_path, extra="[rounds]\nmet_after_seconds = 0.3\n"),
                  database=tmp_path / "k.db")
    async with running(config) as server:
        anna, bert, cecilia = [await server.connected(n) for n in ("Anna", "Bert", "Cecilia")]
        event = server.world().event("testfair")
        table = next(r.id for r in event.rooms.values() if r.kind.value == "table"
                     and r.capacity is None)
        for person in (anna, bert, cecilia):
            assert (await person.call("enter", {"room": table}))["ok"]
        await anna.emit("move", {"x": 100, "y": 100})
        await bert.emit("move", {"x": 160, "y": 100})
        await cecilia.emit("move", {"x": 900, "y": 900})

        async def met_of(person: Person) -> list[Any]:
            status, met = await get(server, "/api/me/met", person.token)
            assert status == 200
            return met  # type: ignore[no-any-return]

        for _ in range(100):  # a condition polled for up to ~10 s
            if await met_of(anna):
                break
            await asyncio.sleep(0.1)
        met = await met_of(anna)
        seen = [(m["person"]["id"], m["via"], m["room"]) for m in met]
        assert seen == [(bert.id, "table", table)]
        assert await met_of(cecilia) == []


async def test_met_and_suggestions_need_a_valid_token(server: Server) -> None:
    """No token, a made-up token or a hostile one: 401 in the contract's shape."""
    for token in (None, "x" * 40, "' OR 1=1 --" * 4, "é" * 300):
        for path in ("/api/me/met", "/api/me/suggestions"):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with server.http.get(f"{server.url}{path}", headers=headers) as resp:
                assert resp.status == 401, (path, token)
                assert (await resp.json())["error"]["code"] == "unauthorized"
