"""`GET /api/events/{event}/people` (issue 12): people who left stay findable for a card
request; erased and banned people are not; public fields only; paged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Person, Server, write_config


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_config(tmp_path, grace=0.3)


async def search(server: Server, who: Person | None, query: str = "",
                 slug: str = "testfair") -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {who.token}"} if who else {}
    async with server.http.get(f"{server.url}/api/events/{slug}/people{query}",
                               headers=headers) as resp:
        return resp.status, await resp.json()


async def test_finds_who_left_and_the_card_request_waits_for_them(server: Server) -> None:
    """Someone who left is found (room null, public fields only); asking for their card
    is a pending request they find in their welcome when they come back."""
    aino = await server.connected("Aino", email="aino@example.fi", interests=["tekoäly"])
    bert = await server.connected("Bert")
    await aino.close()
    await bert.seen.wait_for("presence", lambda m: aino.id in m["gone"])
    status, body = await search(server, bert, "?q=TEKOALY")
    assert status == 200, body
    assert [p["id"] for p in body["people"]] == [aino.id]
    assert body["people"][0]["room"] is None and body["next"] is None
    assert "email" not in body["people"][0] and "aino@example.fi" not in repr(body)
    status, body = await search(server, bert, "?absent=1&interest=tekoäly")
    assert [p["id"] for p in body["people"]] == [aino.id]
    ack = await bert.call("card:request", {"to": aino.id})
    assert ack["ok"], ack
    welcome = await aino.connect()
    assert welcome is not None
    assert [r["from"]["id"] for r in welcome["requests"]] == [bert.id]


async def test_erased_and_banned_people_are_not_found(server: Server) -> None:
    """Erased people are gone, banned ones left out, the asker too."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    aino, bert = await server.join("Aino"), await server.connected("Bert")
    cai = await server.connected("Cai")
    async with server.http.delete(f"{server.url}/api/me",
                                  headers={"Authorization": f"Bearer {aino.token}"}) as resp:
        assert resp.status == 204
    assert (await host.call("mod:kick", {"person": cai.id, "reason": "spam", "ban": True}))["ok"]
    status, body = await search(server, bert)
    assert status == 200
    assert [p["name"] for p in body["people"]] == ["Hanna"]


async def test_pages_and_bad_queries(server: Server) -> None:
    """Pages of `limit` in name order; bad limits, cursors and other events refused."""
    asker = await server.join("Zed")
    names = [f"Person {i:02}" for i in range(5)]
    for name in names:
        await server.join(name)
    found: list[str] = []
    query = "?limit=2"
    while True:
        status, body = await search(server, asker, query)
        assert status == 200, body
        found += [p["name"] for p in body["people"]]
        if body["next"] is None:
            break
        query = f"?limit=2&after={body['next']}"
    assert found == names
    for bad in ("?limit=0", "?limit=51", "?limit=x", "?absent=yes", "?after=nodot",
                "?q=" + "x" * 201):
        status, body = await search(server, asker, bad)
        assert status == 400 and body["error"]["code"] == "bad_request", bad
    status, body = await search(server, None)
    assert status == 401
    status, body = await search(server, asker, slug="nosuch")
    assert status == 404
