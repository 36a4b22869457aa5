"""Client events named like Socket.IO's lifecycle (`connect`, `disconnect`,
`connect_error`) are refused and change nothing; ending a session closes the
connection under it (issue 10, point 7)."""

from __future__ import annotations

import asyncio

from server.keys import SESSIONS, SIO
from tests.conftest import Server
from tests.server.raw import DISCONNECT, EVENT, RawSocket


async def _until(condition: object, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def test_reserved_names_are_bad_requests_and_change_nothing(server: Server) -> None:
    """`disconnect`, `connect` and `connect_error` from a client are answered bad_request;
    the socket stays counted and still hears its table, and nobody else is seated."""
    anna, bert = await server.connected("Anna"), await server.connected("Bert")
    carl = await server.join("Carl")
    table = (await anna.welcome())["rooms"][1]["id"]
    for p in (anna, bert):
        assert (await p.call("enter", {"room": table}))["ok"]
    for name, payload in (("disconnect", "client"), ("connect", {"token": carl.token}),
                          ("connect_error", {})):
        reply = await anna.call(name, payload)
        assert reply["error"]["code"] == "bad_request", name
    await anna.emit("disconnect")  # without an ack: an error event
    err = await anna.seen.wait_for("error", lambda e: e["request"] == "disconnect")
    assert err["code"] == "bad_request"
    event = server.world().event("testfair")
    assert event.people[anna.id].connected and not event.people[carl.id].connected
    assert server.app[SESSIONS].sid_of(anna.id) is not None
    assert event.people[carl.id].room is None
    assert (await bert.call("say", {"text": "still here?"}))["ok"]
    await anna.seen.wait_for("chat", lambda m: m["text"] == "still here?")
    assert (await anna.call("say", {"text": "yes"}))["ok"]


async def test_many_fake_connects_leave_no_ghosts(server: Server) -> None:
    """25 `connect` events with 25 tokens on one socket seat nobody: the event counts one
    connection and honest people still get in."""
    event = server.world().event("testfair")
    event.capacity = 20
    raw_owner = await server.join("Owner")
    others = [await server.join(f"G{i}") for i in range(25)]
    raw = await RawSocket.open(server)
    try:
        assert (await raw.connect(raw_owner.token))["type"] == 0
        for i, other in enumerate(others):
            await raw.emit("connect", {"token": other.token}, ack=i)
        await raw.next(lambda p: p["type"] == 3 and p["id"] == 24)
        acks = [p for p in raw.packets if p["type"] == 3]
        assert all(p["data"][0]["error"]["code"] == "bad_request" for p in acks)
        assert event.connected_count == 1
        assert not any(event.people[o.id].connected for o in others)
        assert len(server.app[SESSIONS]) == 1
        honest = await server.connected("Honest")
        assert event.people[honest.id].connected and event.connected_count == 2
    finally:
        await raw.close()


async def test_kick_closes_the_connection_of_a_client_that_ignores_it(server: Server) -> None:
    """A kicked client that ignores DISCONNECT is closed at the transport, after hearing
    `kicked`; one that had sent `disconnect` first is kicked the same way."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    target = await server.join("Target")
    raw = await RawSocket.open(server)
    try:
        await raw.connect(target.token)
        await raw.next(lambda p: p["type"] == EVENT and p["data"][0] == "welcome")
        await raw.emit("disconnect", "io client disconnect", ack=1)
        await raw.next(lambda p: p["type"] == 3 and p["id"] == 1)
        assert (await mod.call("mod:kick", {"person": target.id, "reason": "spam",
                                            "ban": True}))["ok"]
        assert await raw.closed(timeout=15)
        assert raw.events("kicked") == [{"reason": "spam"}]
        assert any(p["type"] == DISCONNECT for p in raw.packets)
        assert not server.world().event("testfair").people[target.id].connected
        await _until(lambda: len(server.app[SIO].eio.sockets) == 1)  # the moderator's
    finally:
        await raw.close()


async def test_replaced_connection_is_closed(server: Server) -> None:
    """A newer connection of the same person closes the older one at the transport."""
    anna = await server.join("Anna")
    raw = await RawSocket.open(server)
    try:
        await raw.connect(anna.token)
        await raw.next(lambda p: p["type"] == EVENT and p["data"][0] == "welcome")
        await anna.connect()
        assert await raw.closed(timeout=15)
        assert raw.events("replaced") == [{}]
        assert server.world().event("testfair").people[anna.id].connected
    finally:
        await raw.close()
