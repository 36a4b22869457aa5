"""HTTP under abuse (issue 10, points 10 and 11): join floods, never-connected joins
purged, deep JSON and odd query values answered bad_request, status of any type."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.config import load
from server.world import now_ms
from tests.conftest import Server, running
from tests.server.raw import config_with

HOUR_MS = 3_600_000


async def _me_status(server: Server, token: str) -> int:
    async with server.http.get(f"{server.url}/api/me",
                               headers={"Authorization": f"Bearer {token}"}) as resp:
        return resp.status


async def _join_status(server: Server, name: str) -> tuple[int, dict[str, object]]:
    async with server.http.post(f"{server.url}/api/events/testfair/join",
                                json={"name": name}) as resp:
        return resp.status, await resp.json()


async def test_joins_past_the_event_cap_are_conflict(tmp_path: Path) -> None:
    """`max_people_per_event` people joined: the next join is 409 conflict."""
    path = config_with(tmp_path, server="max_people_per_event = 3")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        for name in ("A", "B", "C"):
            await srv.join(name)
        status, body = await _join_status(srv, "D")
        assert status == 409 and body["error"]["code"] == "conflict"  # type: ignore[index]


async def test_joins_faster_than_the_event_rate_are_rate_limited(tmp_path: Path) -> None:
    """Joins to one event past `[limits] event_join` are 429 rate_limited, whatever the
    per-address limit allows."""
    path = config_with(tmp_path, limits="event_join = { burst = 3, per_second = 0.01 }\n"
                                        "join = { burst = 100, per_second = 100 }")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        for name in ("A", "B", "C"):
            await srv.join(name)
        status, body = await _join_status(srv, "D")
        assert status == 429 and body["error"]["code"] == "rate_limited"  # type: ignore[index]
        assert len(srv.world().event("testfair").people) == 3


async def test_never_connected_joins_are_purged_from_memory_and_storage(
    tmp_path: Path,
) -> None:
    """An hour on, a join that never connected is gone (token refused, row deleted), also
    after a restart; one that connected stays."""
    path = config_with(tmp_path)
    config = load(path, database=tmp_path / "k.db")
    async with running(config) as srv:
        ghost, came = await srv.join("Ghost"), await srv.join("Came")
        await came.connect()
        storage = srv.world().storage

        async def visited() -> bool:
            return came.id in await storage.ever_connected("testfair")

        async with asyncio.timeout(5):
            while not await visited():  # the visit log writes once a second
                await asyncio.sleep(0.05)
        later = await srv.join("Later")
    async with running(config) as srv:  # a restart: who never connected is known again
        world = srv.world()
        event = world.event("testfair")
        assert await world.purge_unconnected(event, now_ms() + HOUR_MS) == 2
        assert set(event.people) == {came.id}
        assert await _me_status(srv, ghost.token) == 401
        assert await _me_status(srv, later.token) == 401
        assert await _me_status(srv, came.token) == 200
        async with world.storage.db.execute("SELECT id FROM people") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == [came.id]


async def test_the_tick_purges_never_connected_joins(tmp_path: Path) -> None:
    """The tick loop purges on its own once `purge_unconnected_seconds` have passed."""
    path = config_with(tmp_path, server="purge_unconnected_seconds = 0.2")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        ghost = await srv.join("Ghost")
        async with asyncio.timeout(5):
            while await _me_status(srv, ghost.token) != 401:
                await asyncio.sleep(0.05)
        assert ghost.id not in srv.world().event("testfair").people


async def test_deeply_nested_json_is_a_bad_request(server: Server) -> None:
    """30,000-deep JSON on join and on PATCH /api/me is 400 bad_request, not 500."""
    deep = b"[" * 30_000 + b"]" * 30_000
    async with server.http.post(f"{server.url}/api/events/testfair/join", data=deep,
                                headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_request"
    person = await server.join("Anna")
    async with server.http.patch(f"{server.url}/api/me", data=deep, headers={
            "Authorization": f"Bearer {person.token}"}) as resp:
        assert resp.status == 400 and (await resp.json())["error"]["code"] == "bad_request"


@pytest.mark.parametrize("limit", ["²", "١٢", "0", "-1", "5001", " 5", "1e3"])
async def test_staff_list_limits_take_ascii_digits_only(server: Server, limit: str) -> None:
    """`?limit=²` (a digit to str.isdigit, not to int) and other non-numbers are 400."""
    host = await server.staff("host", "Hanna")
    for path in ("moderation", "flags", "bans"):
        async with server.http.get(
            f"{server.url}/api/events/testfair/{path}", params={"limit": limit},
            headers={"Authorization": f"Bearer {host.token}"},
        ) as resp:
            assert resp.status == 400, (path, limit)
            assert (await resp.json())["error"]["field"] == "limit"


@pytest.mark.parametrize("value", [["busy"], {"a": 1}, 1, None, True, "asleep"])
async def test_status_of_any_type_is_a_bad_request(server: Server, value: object) -> None:
    """`status` with a list, an object or any other wrong value is bad_request."""
    anna = await server.connected("Anna")
    reply = await anna.call("status", {"status": value})
    assert reply["error"]["code"] == "bad_request"
