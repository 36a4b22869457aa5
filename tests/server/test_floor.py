"""The live floor over real Socket.IO: movement, rooms, chat, reconnection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.config import load
from server.keys import TICK
from tests.conftest import Person, Server, running, write_config


async def seat(people: list[Person], room: str) -> None:
    for person in people:
        reply = await person.call("enter", {"room": room})
        assert reply["ok"], reply


def table(welcome: dict[str, Any], index: int = 1) -> str:
    return str(welcome["rooms"][index]["id"])


def moved_to(person: str, x: int, y: int) -> Any:
    return lambda data: [person, x, y] in data["p"]


async def test_welcome_has_the_contract_shape(server: Server) -> None:
    """welcome carries event, me (with card), rooms, people, room and requests."""
    anna = await server.join("Anna", organization="Yhdistys ry", email="anna@example.fi")
    welcome = await anna.connect()
    assert welcome is not None
    # the contract's, then extensions: request paging and the rounds running
    assert set(welcome) == {"event", "me", "rooms", "people", "room", "requests",
                            "requests_total", "requests_next", "rounds", "rounds_in"}
    assert set(welcome["event"]) == {
        "slug", "title", "description", "lobby", "timer", "tick_hz", "presence_hz",
        "grace_seconds", "room_size", "media", "speakers", "hand",  # hand: issue 12
    }
    assert welcome["me"]["card"]["email"] == "anna@example.fi"
    assert welcome["me"]["room"] == welcome["event"]["lobby"]
    assert welcome["rooms"][0]["kind"] == "lobby" and len(welcome["rooms"]) == 4
    assert welcome["room"]["room"]["id"] == welcome["event"]["lobby"]
    assert "email" not in welcome["people"][0] and "bio" not in welcome["people"][0]
    assert welcome["people"][0]["interests"] == []


async def test_table_members_see_each_others_moves(server: Server) -> None:
    """Three people at a table see each other's moves within a couple of ticks."""
    a, b, c = [await server.connected(n) for n in ("Anna", "Bert", "Cecilia")]
    room = table(await a.welcome())
    await seat([a, b, c], room)
    await a.emit("move", {"x": 100, "y": 200})
    await b.emit("move", {"x": 300, "y": 400})
    for watcher in (a, b, c):
        await watcher.seen.wait_for("positions", moved_to(a.id, 100, 200), timeout=2)
        await watcher.seen.wait_for("positions", moved_to(b.id, 300, 400), timeout=2)


async def test_other_tables_receive_no_positions(server: Server) -> None:
    """Someone at another table gets none of this table's positions."""
    a, b, outsider = [await server.connected(n) for n in ("Anna", "Bert", "Olli")]
    welcome = await a.welcome()
    await seat([a, b], table(welcome, 1))
    await seat([outsider], table(welcome, 2))
    await a.emit("move", {"x": 10, "y": 10})
    await b.seen.wait_for("positions", moved_to(a.id, 10, 10))
    # The outsider's own move is flushed on a later tick: when it arrives, any
    # leak from the other table would have arrived too.
    await outsider.emit("move", {"x": 5, "y": 5})
    await outsider.seen.wait_for("positions", moved_to(outsider.id, 5, 5))
    rooms = {p["room"] for p in outsider.seen.of("positions")}
    assert rooms == {table(welcome, 2)}


async def test_rapid_moves_are_coalesced_per_tick(server: Server) -> None:
    """200 rapid moves give at most one positions message per tick, ending at the last point."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    await seat([a, b], table(await a.welcome()))
    ticks_before = server.app[TICK].ticks
    for i in range(200):
        await a.emit("move", {"x": i, "y": 1000 - i})
    await b.seen.wait_for("positions", moved_to(a.id, 199, 801), timeout=3)
    ticks = server.app[TICK].ticks - ticks_before + 1
    carrying = [p for p in b.seen.of("positions") if any(e[0] == a.id for e in p["p"])]
    assert len(carrying) <= ticks
    assert len({p["ts"] for p in carrying}) == len(carrying)
    assert all(sum(e[0] == a.id for e in p["p"]) == 1 for p in carrying)
    assert carrying[-1]["p"] == [[a.id, 199, 801]] or [a.id, 199, 801] in carrying[-1]["p"]


async def test_capacity_is_enforced(server: Server) -> None:
    """The fourth attendee at a 3-seat table gets room_full and stays where they were."""
    people = [await server.connected(f"P{i}") for i in range(4)]
    welcome = await people[0].welcome()
    room = table(welcome, 1)
    assert welcome["rooms"][1]["capacity"] == 3
    await seat(people[:3], room)
    reply = await people[3].call("enter", {"room": room})
    assert reply["ok"] is False and reply["error"]["code"] == "room_full"
    still = server.world().events["testfair"].people[people[3].id].room
    assert still == welcome["event"]["lobby"]


async def test_entering_announces_join_and_leave(server: Server) -> None:
    """room:joined reaches the new room's members and room:left the old room's."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    welcome = await a.welcome()
    await seat([a], table(welcome, 1))
    await b.seen.wait_for("room:left", lambda d: d["person"] == a.id)
    await seat([b], table(welcome, 1))
    joined = await a.seen.wait_for(
        "room:joined", lambda d: d["person"]["id"] == b.id and d["room"] == table(welcome, 1))
    assert {"x", "y"} <= set(joined)
    presence = await b.seen.wait_for(
        "presence", lambda d: any(p["id"] == b.id and p["room"] == table(welcome, 1)
                                  for p in d["people"]))
    assert any(r["id"] == table(welcome, 1) for r in presence["rooms"])


async def test_chat_reaches_only_the_table(server: Server) -> None:
    """say reaches the table, sender included, and nobody at another table."""
    a, b, outsider = [await server.connected(n) for n in ("Anna", "Bert", "Olli")]
    welcome = await a.welcome()
    await seat([a, b], table(welcome, 1))
    await seat([outsider], table(welcome, 2))
    reply = await a.call("say", {"text": "  Hei kaikki!  "})
    assert reply["ok"] and reply["message"]["text"] == "Hei kaikki!"
    await b.seen.wait_for("chat", lambda m: m["text"] == "Hei kaikki!")
    await a.seen.wait_for("chat", lambda m: m["text"] == "Hei kaikki!")
    await outsider.call("say", {"text": "sentinel"})
    await outsider.seen.wait_for("chat", lambda m: m["text"] == "sentinel")
    assert [m["text"] for m in outsider.seen.of("chat")] == ["sentinel"]
    # history arrives with the room on entry
    reply = await outsider.call("enter", {"room": table(welcome, 1)})
    assert [m["text"] for m in reply["room"]["chat"]] == ["Hei kaikki!"]


async def test_whispers_reach_only_their_addressee(server: Server) -> None:
    """whisper goes to the addressee alone, wherever they sit."""
    a, b, c = [await server.connected(n) for n in ("Anna", "Bert", "Cecilia")]
    reply = await a.call("whisper", {"to": b.id, "text": "psst"})
    assert reply["ok"] and reply["message"]["to"] == b.id
    got = await b.seen.wait_for("whisper")
    assert got["text"] == "psst" and got["from"] == a.id
    await c.call("say", {"text": "sentinel"})
    await c.seen.wait_for("chat", lambda m: m["text"] == "sentinel")
    assert c.seen.of("whisper") == [] and a.seen.of("whisper") == []
    reply = await a.call("whisper", {"to": "p_nobody", "text": "hi"})
    assert reply["error"]["code"] == "not_found"


async def test_status_and_wave(server: Server) -> None:
    """status changes show in presence; wave reaches the addressee as waved."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    assert (await a.call("status", {"status": "busy"})) == {"ok": True}
    await b.seen.wait_for(
        "presence", lambda d: any(p["id"] == a.id and p["status"] == "busy" for p in d["people"]))
    assert (await a.call("wave", {"to": b.id})) == {"ok": True}
    waved = await b.seen.wait_for("waved")
    assert waved["from"]["id"] == a.id and isinstance(waved["at"], int)


async def test_reconnect_within_grace_keeps_table_silently(server: Server) -> None:
    """A reconnect within grace keeps table and position, and nobody sees a leave."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    room = table(await a.welcome())
    await seat([a, b], room)
    await a.emit("move", {"x": 123, "y": 456})
    await b.seen.wait_for("positions", moved_to(a.id, 123, 456))
    await a.close()
    await a.connect()
    welcome = [w for w in a.seen.of("welcome")][-1]
    assert welcome["me"]["room"] == room
    assert {"id": a.id, "x": 123, "y": 456} in welcome["room"]["occupants"]
    await a.call("say", {"text": "back"})
    await b.seen.wait_for("chat", lambda m: m["text"] == "back")
    assert not [d for d in b.seen.of("room:left") if d == {"room": room, "person": a.id}]
    assert not [d for d in b.seen.of("presence") if a.id in d["gone"]]


async def test_grace_expiry_tells_the_room(tmp_path: Path) -> None:
    """After the grace period a dropped person leaves: room:left and presence gone."""
    config = load(write_config(tmp_path, grace=0.3), database=tmp_path / "k.db")
    async with running(config) as srv:
        a, b = [await srv.connected(n) for n in ("Anna", "Bert")]
        await a.close()
        await b.seen.wait_for("room:left", lambda d: d["person"] == a.id, timeout=5)
        await b.seen.wait_for("presence", lambda d: a.id in d["gone"], timeout=5)


async def test_second_connection_replaces_the_first(server: Server) -> None:
    """A second connection with the same token replaces the first, which hears replaced."""
    a, b = [await server.connected(n) for n in ("Anna", "Bert")]
    room = table(await a.welcome())
    await seat([a, b], room)
    first = a.sio
    second = Person(server, a.token, a.person)
    server.people.append(second)
    welcome = await second.connect()
    assert welcome is not None and welcome["me"]["room"] == room
    await a.seen.wait_for("replaced")
    await a.seen.wait_for("disconnect")
    assert first is not None and not first.connected
    await second.call("say", {"text": "still here"})
    await b.seen.wait_for("chat", lambda m: m["text"] == "still here")
    assert not [d for d in b.seen.of("room:left") if d == {"room": room, "person": a.id}]


@pytest.mark.parametrize("auth, code", [
    (None, "unauthorized"),
    ({}, "unauthorized"),
    ({"token": 5}, "unauthorized"),
    ({"token": "x" * 40}, "unauthorized"),
    ({"token": "y" * 10_000}, "unauthorized"),
])
async def test_connect_refusals(server: Server, auth: Any, code: str) -> None:
    """A missing or unknown token is refused with {code, message} as the connect error data."""
    import socketio

    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=5)
    assert errors and errors[0]["data"]["code"] == code
    assert isinstance(errors[0]["data"]["message"], str)
