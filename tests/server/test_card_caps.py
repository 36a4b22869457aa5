"""Card requests are capped per addressee and per requester, and the welcome pages them
(issue 10, point 12), on the real server with real clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.config import ConfigError, load
from tests.conftest import Person, Server, running, write_config

CAPS = """
[cards]
pending_per_addressee = 3
pending_per_requester = 2
welcome_requests = 2
"""


@pytest.fixture
async def capped(tmp_path: Path) -> AsyncIterator[Server]:
    config = load(write_config(tmp_path, extra=CAPS), database=tmp_path / "kohtaamo.db")
    async with running(config) as server:
        yield server


async def page(server: Server, person: Person, query: str) -> tuple[int, Any]:
    async with server.http.get(f"{server.url}/api/me/requests{query}",
                               headers={"Authorization": f"Bearer {person.token}"}) as resp:
        return resp.status, await resp.json()


async def test_requests_past_the_addressee_cap_are_refused(capped: Server) -> None:
    """The fourth pending request for one person is refused with conflict and stores
    nothing; the addressee hears of three."""
    star = await capped.connected("Star")
    fans = [await capped.connected(f"Fan{i}") for i in range(4)]
    for fan in fans[:3]:
        assert (await fan.call("card:request", {"to": star.id}))["ok"]
    reply = await fans[3].call("card:request", {"to": star.id})
    assert reply["ok"] is False and reply["error"]["code"] == "conflict"
    assert "too many" in reply["error"]["message"]
    assert len(capped.world().event("testfair").card_requests) == 3
    async with capped.world().storage.db.execute("SELECT COUNT(*) FROM card_requests") as cur:
        assert (await cur.fetchone())[0] == 3  # type: ignore[index]


async def test_requests_past_the_requester_cap_are_refused(capped: Server) -> None:
    """A person with two unanswered requests out is refused a third (conflict)."""
    eager = await capped.connected("Eager")
    others = [await capped.connected(f"Other{i}") for i in range(3)]
    for other in others[:2]:
        assert (await eager.call("card:request", {"to": other.id}))["ok"]
    reply = await eager.call("card:request", {"to": others[2].id})
    assert reply["error"]["code"] == "conflict"


async def test_welcome_carries_the_newest_and_the_rest_are_paged(capped: Server) -> None:
    """The welcome holds the two newest requests with the total and a cursor;
    GET /api/me/requests?before= gives the older one; bad paging is bad_request."""
    star = await capped.join("Star")
    fans = [await capped.connected(f"Fan{i}") for i in range(3)]
    for fan in fans:
        assert (await fan.call("card:request", {"to": star.id}))["ok"]
    welcome = await star.connect()
    assert welcome is not None
    assert [r["from"]["id"] for r in welcome["requests"]] == [fans[1].id, fans[2].id]
    assert welcome["requests_total"] == 3 and welcome["requests_next"]
    status, body = await page(capped, star, f"?before={welcome['requests_next']}")
    assert status == 200 and body["next"] is None
    assert [r["from"]["id"] for r in body["requests"]] == [fans[0].id]
    status, body = await page(capped, star, "?limit=1")
    assert status == 200 and [r["from"]["id"] for r in body["requests"]] == [fans[2].id]
    assert body["next"]
    for bad in ("?before=nonsense", "?limit=0", "?limit=201", "?limit=x"):
        status, body = await page(capped, star, bad)
        assert status == 400 and body["error"]["code"] == "bad_request", bad
    async with capped.http.get(f"{capped.url}/api/me/requests") as resp:
        assert resp.status == 401


def test_card_settings_are_checked(tmp_path: Path) -> None:
    """[cards] takes whole numbers of at least one and nothing unknown."""
    for extra in ("[cards]\npending_per_addressee = 0\n", "[cards]\nwelcome_requests = 'x'\n",
                  "[cards]\nmystery = 1\n"):
        with pytest.raises(ConfigError):
            load(write_config(tmp_path, extra=extra))
    assert load(write_config(tmp_path)).cards.per_addressee == 200
