"""Host and moderator actions on the real server with real msgpack clients (issue 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import socketio

from server.config import load
from server.world import now_ms
from tests.conftest import Person, Server, running, write_config


async def rows(server: Server, sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows straight from the server's SQLite database."""
    async with server.world().storage.db.execute(sql, params) as cur:
        return [dict(r) for r in await cur.fetchall()]


async def log_of(server: Server) -> list[dict[str, Any]]:
    return await rows(server, "SELECT * FROM moderation_log ORDER BY seq")


def tables(welcome: dict[str, Any]) -> list[str]:
    return [r["id"] for r in welcome["rooms"] if r["kind"] == "table"]


async def settle(*people: Person) -> None:
    """A round trip on each connection, so every emit sent to them before has arrived."""
    for person in people:
        reply = await person.call("status", {"status": "available"})
        assert reply["ok"], reply


async def refusal(server: Server, token: str) -> Any:
    """The connect error data when `token` connects, or fail if it is accepted."""
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, auth={"token": token}, transports=["websocket"],
                             wait_timeout=5)
    assert errors, "no connect_error"
    return errors[0]["data"]


async def get(server: Server, path: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with server.http.get(f"{server.url}{path}", headers=headers) as resp:
        return resp.status, await resp.json()


# --- hosts -------------------------------------------------------------------------


async def test_room_create_and_update_reach_everyone_and_the_database(server: Server) -> None:
    """room:create and room:update ack the room, show in presence and are stored."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna = await server.connected("Anna")
    reply = await host.call("room:create", {"title": " Uusi pöytä ", "theme": "New", "capacity": 4})
    assert reply["ok"], reply
    room = reply["room"]
    assert (room["title"], room["capacity"], room["open"]) == ("Uusi pöytä", 4, True)
    await anna.seen.wait_for(
        "presence", lambda d: any(r["id"] == room["id"] for r in d["rooms"]), timeout=3
    )
    reply = await host.call("room:update", {"room": room["id"], "title": "Vanha", "capacity": None})
    assert reply["ok"] and reply["room"]["capacity"] is None and reply["room"]["theme"] == "New"
    await anna.seen.wait_for(
        "presence", lambda d: any(r["title"] == "Vanha" for r in d["rooms"]), timeout=3
    )
    stored = await rows(server, "SELECT title, capacity, open FROM rooms WHERE id = ?", room["id"])
    assert stored == [{"title": "Vanha", "capacity": None, "open": 1}]
    assert (await anna.call("enter", {"room": room["id"]}))["ok"]


async def test_close_moves_occupants_to_the_lobby_and_open_lets_them_back(server: Server) -> None:
    """room:close moves everyone seated to the lobby (room_closed); closed refuses; open admits."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna = await server.connected("Anna")
    welcome = await anna.welcome()
    table = tables(welcome)[1]
    assert (await anna.call("enter", {"room": table}))["ok"]
    assert (await host.call("room:close", {"room": table}))["ok"]
    moved = await anna.seen.wait_for("moved")
    assert moved["reason"] == "room_closed" and moved["by"] == "Hanna"
    assert moved["room"]["room"]["id"] == welcome["event"]["lobby"]
    refused = await anna.call("enter", {"room": table})
    assert refused["error"]["code"] == "room_closed"
    closed = await host.call("room:close", {"room": welcome["event"]["lobby"]})
    assert closed["error"]["code"] == "bad_request"
    assert (await host.call("room:open", {"room": table}))["ok"]
    assert (await anna.call("enter", {"room": table}))["ok"]


async def test_announce_timer_and_recall(server: Server) -> None:
    """announce and timer reach everyone, a new timer replaces the old, recall empties tables."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna, bert = await server.connected("Anna"), await server.connected("Bert")
    table = tables(await anna.welcome())[0]
    for person in (anna, bert):
        assert (await person.call("enter", {"room": table}))["ok"]
    assert (await host.call("announce", {"text": "Tervetuloa!"}))["ok"]
    for person in (anna, bert):
        got = await person.seen.wait_for("announcement")
        assert got["text"] == "Tervetuloa!" and got["name"] == "Hanna"
    first = await host.call("timer:set", {"seconds": 60, "label": "Kierros"})
    second = await host.call("timer:set", {"seconds": 600, "label": "Kierros"})
    assert second["timer"]["ends_at"] > first["timer"]["ends_at"]
    await anna.seen.wait_for("timer", lambda t: t == second["timer"])
    late = await server.connected("Late")
    assert (await late.welcome())["event"]["timer"] == second["timer"]
    assert (await host.call("timer:clear", {}))["ok"]
    await bert.seen.wait_for("timer", lambda t: t is None)
    reply = await host.call("recall", {})
    assert reply == {"ok": True, "moved": 2}
    for person in (anna, bert):
        assert (await person.seen.wait_for("moved"))["reason"] == "recall"


# --- moderators --------------------------------------------------------------------


async def test_mute_blocks_talk_until_unmute(server: Server) -> None:
    """mod:mute stops say and whisper with `muted`, shows in presence; mod:unmute lifts it."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna = await server.connected("Anna")
    reply = await mod.call("mod:mute", {"person": anna.id})
    assert reply == {"ok": True, "until": None}
    assert await anna.seen.wait_for("muted") == {"until": None, "by": "Mika"}
    assert (await anna.call("say", {"text": "hei"}))["error"]["code"] == "muted"
    assert (await anna.call("whisper", {"to": mod.id, "text": "hei"}))["error"]["code"] == "muted"
    await mod.seen.wait_for(
        "presence", lambda d: any(p["id"] == anna.id and p["muted"] for p in d["people"]),
        timeout=3,
    )
    assert (await mod.call("mod:unmute", {"person": anna.id}))["ok"]
    await anna.seen.wait_for("unmuted")
    assert (await anna.call("say", {"text": "hei"}))["ok"]
    stored = await rows(server, "SELECT muted, muted_until FROM people WHERE id = ?", anna.id)
    assert stored == [{"muted": 0, "muted_until": None}]


async def test_timed_mute_ends_by_itself(server: Server) -> None:
    """A timed mute is stored with its end time and the tick loop lifts it when it passes."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna = await server.connected("Anna")
    before = now_ms()
    reply = await mod.call("mod:mute", {"person": anna.id, "minutes": 2})
    assert before + 120_000 <= reply["until"] <= now_ms() + 120_000
    stored = await rows(server, "SELECT muted_until FROM people WHERE id = ?", anna.id)
    assert stored == [{"muted_until": reply["until"]}]
    # Bring the end near instead of waiting two minutes.
    server.world().event("testfair").people[anna.id].muted_until = now_ms() + 200
    assert await anna.seen.wait_for("unmuted", timeout=3) == {"by": None}
    assert (await anna.call("say", {"text": "taas"}))["ok"]


async def test_moderator_move_ignores_capacity(server: Server) -> None:
    """mod:move seats someone at a full table and tells them reason moderator and by whom."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    people = [await server.connected(n) for n in ("A", "B", "C", "D")]
    full = tables(await people[0].welcome())[0]  # capacity 3
    for person in people[:3]:
        assert (await person.call("enter", {"room": full}))["ok"]
    assert (await people[3].call("enter", {"room": full}))["error"]["code"] == "room_full"
    reply = await mod.call("mod:move", {"person": people[3].id, "room": full})
    assert reply["ok"] and reply["room"]["room"]["count"] == 4
    moved = await people[3].seen.wait_for("moved")
    assert (moved["reason"], moved["by"]) == ("moderator", "Mika")
    assert moved["room"]["room"]["id"] == full


async def test_kick_without_ban_lets_them_come_back(server: Server) -> None:
    """mod:kick sends kicked and disconnects; without ban the token still connects."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna = await server.connected("Anna")
    assert (await mod.call("mod:kick", {"person": anna.id, "reason": "Rauhoitu"}))["ok"]
    assert await anna.seen.wait_for("kicked") == {"reason": "Rauhoitu"}
    await anna.seen.wait_for("disconnect")
    assert await anna.connect() is not None
    status, _ = await get(server, "/api/me", anna.token)
    assert status == 200


async def test_kick_with_ban_refuses_socket_and_http(server: Server) -> None:
    """mod:kick with ban disconnects, and the token is refused at connect (banned) and HTTP."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna = await server.connected("Anna")
    reply = await host.call("mod:kick", {"person": anna.id, "reason": "Häirintä", "ban": True})
    assert reply["ok"]
    await anna.seen.wait_for("kicked")
    await anna.seen.wait_for("disconnect")
    assert (await refusal(server, anna.token))["code"] == "banned"
    # HTTP refuses a banned token too, except to read, export or erase one's own data
    async with server.http.patch(f"{server.url}/api/me", json={"title": "x"},
                                 headers={"Authorization": f"Bearer {anna.token}"}) as resp:
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "banned"


# --- flags and the log -------------------------------------------------------------


async def test_flag_reaches_staff_online_and_the_flags_list(server: Server) -> None:
    """flag acks an id, staff online get flag:new, the flags list has it newest first."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna, bert = await server.connected("Anna"), await server.connected("Bert")
    first = await anna.call("flag", {"person": bert.id, "reason": "Mainostaa"})
    second = await bert.call("flag", {"person": anna.id, "reason": "Kostoa"})
    assert first["ok"] and second["ok"]
    new = await mod.seen.wait_for("flag:new", lambda f: f["flag"] == first["flag"])
    assert (new["from"], new["person"], new["reason"]) == (anna.id, bert.id, "Mainostaa")
    await settle(anna)
    assert anna.seen.of("flag:new") == []
    status, flags = await get(server, "/api/events/testfair/flags", mod.token)
    assert status == 200
    assert [f["flag"] for f in flags] == [second["flag"], first["flag"]]
    assert {k: flags[1][k] for k in new} == new  # the list adds names
    refused = await anna.call("flag", {"person": anna.id, "reason": "x"})
    assert refused["error"]["code"] == "bad_request"
    missing = await anna.call("flag", {"person": "p_nobody", "reason": "x"})
    assert missing["error"]["code"] == "not_found"


async def test_every_action_is_logged_newest_first(server: Server) -> None:
    """Each host and moderator action writes one log row: actor, action, target, detail, at."""
    host = await server.staff("host", "Hanna")
    mod = await server.staff("moderator", "Mika")
    await host.connect()
    await mod.connect()
    anna = await server.connected("Anna")
    table = tables(await anna.welcome())[1]
    calls: list[tuple[Person, str, dict[str, Any]]] = [
        (host, "room:create", {"title": "Uusi", "theme": ""}),
        (host, "room:update", {"room": table, "theme": "Kielet ja kulttuuri"}),
        (host, "room:close", {"room": table}),
        (host, "room:open", {"room": table}),
        (host, "announce", {"text": "Hei"}),
        (host, "timer:set", {"seconds": 30, "label": "Tauko"}),
        (host, "timer:clear", {}),
        (host, "recall", {}),
        (mod, "mod:mute", {"person": anna.id, "minutes": 5}),
        (mod, "mod:unmute", {"person": anna.id}),
        (mod, "mod:move", {"person": anna.id, "room": table}),
        (mod, "mod:kick", {"person": anna.id, "reason": "Riitti", "ban": False}),
    ]
    for actor, name, payload in calls:
        reply = await actor.call(name, payload)
        assert reply["ok"], (name, reply)
    status, log = await get(server, "/api/events/testfair/moderation", host.token)
    assert status == 200
    assert [e["action"] for e in log] == [name for _, name, _ in reversed(calls)]
    assert all({"at", "actor", "action", "target", "detail"} <= set(e) for e in log)
    by_action = {e["action"]: e for e in log}
    assert by_action["mod:mute"]["actor"] == mod.id
    assert by_action["mod:mute"]["target"] == anna.id
    assert by_action["mod:mute"]["detail"]["minutes"] == 5
    assert by_action["mod:kick"]["detail"] == {"reason": "Riitti", "ban": False}
    assert by_action["room:update"]["target"] == table
    assert by_action["announce"]["detail"] == {"text": "Hei"}
    assert by_action["recall"]["actor"] == host.id


# --- bad input and other events ----------------------------------------------------

BAD_PAYLOADS: dict[str, list[Any]] = {
    "room:create": [None, [], {"theme": "x"}, {"title": ""}, {"title": "x" * 81},
                    {"title": "T", "capacity": 0}, {"title": "T", "capacity": "3"},
                    {"title": "T", "capacity": True}, {"title": "T", "extra": 1}],
    "room:update": [{}, {"room": "r"}, {"title": "T"}, {"room": 5, "title": "T"},
                    {"room": "r", "capacity": -1}, {"room": "r", "title": ""}],
    "room:open": [{}, {"room": ""}, {"room": ["r"]}, "r"],
    "room:close": [{}, {"room": None}, {"room": "x" * 65}],
    "announce": [{}, {"text": " "}, {"text": "x" * 1001}, {"text": 3}],
    "timer:set": [{}, {"seconds": 0}, {"seconds": 86_401}, {"seconds": 1.5},
                  {"seconds": 60, "label": 7}, {"seconds": "60"}],
    "timer:clear": [{"x": 1}, 5],
    "recall": [{"all": True}, "now"],
    "mod:mute": [{}, {"person": "p", "minutes": 0}, {"person": "p", "minutes": 43_201},
                 {"person": "p", "minutes": "5"}, {"person": 1}],
    "mod:unmute": [{}, {"person": None}, {"person": "p", "minutes": 5}],
    "mod:move": [{}, {"person": "p"}, {"room": "r"}, {"person": "p", "room": 1}],
    "mod:kick": [{}, {"person": "p"}, {"person": "p", "reason": ""},
                 {"person": "p", "reason": "r", "ban": "yes"},
                 {"person": "p", "reason": "x" * 501}],
    "flag": [{}, {"person": "p"}, {"person": "p", "reason": ""}, {"reason": "r"}],
}


async def test_bad_payloads_are_bad_requests(server: Server) -> None:
    """Every staff event (and flag) answers a malformed payload with bad_request."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    for name, payloads in BAD_PAYLOADS.items():
        for payload in payloads:
            reply = await host.call(name, payload)
            assert reply["ok"] is False and reply["error"]["code"] == "bad_request", (
                name, payload, reply,
            )
    assert await log_of(server) == []


async def test_bad_payload_without_ack_gets_an_error_event(server: Server) -> None:
    """A failed staff request sent without an ack is answered with an `error` event."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    await mod.emit("room:create", {"title": "T"})
    err = await mod.seen.wait_for("error")
    assert err == {**err, "code": "forbidden", "request": "room:create"}


async def test_staff_reads_need_a_token(server: Server) -> None:
    """The moderation log and flags refuse requests without or with a bad token (401)."""
    for path in ("/api/events/testfair/moderation", "/api/events/testfair/flags"):
        assert (await get(server, path, None))[0] == 401
        assert (await get(server, path, "x" * 40))[0] == 401


OTHER_EVENT = """
[[events]]
slug = "toinen"
title = "Toinen"

[[events.rooms]]
title = "Pöytä"
"""


async def test_staff_of_another_event_are_refused(tmp_path: Path) -> None:
    """A host of one event gets 403 on another event's log and flags and cannot reach its people."""
    config = load(write_config(tmp_path, extra=OTHER_EVENT), database=tmp_path / "k.db")
    async with running(config) as server:
        host = await server.staff("host", "Vieras", slug="toinen")
        await host.connect()
        anna = await server.connected("Anna")
        for path in ("/api/events/testfair/moderation", "/api/events/testfair/flags"):
            status, body = await get(server, path, host.token)
            assert status == 403 and body["error"]["code"] == "forbidden"
        assert (await get(server, "/api/events/toinen/moderation", host.token))[0] == 200
        reply = await host.call("mod:mute", {"person": anna.id})
        assert reply["error"]["code"] == "not_found"
        await settle(anna)
        assert anna.seen.of("muted") == []


async def test_staff_reads_take_a_limit(server: Server) -> None:
    """?limit=N caps the log and flags lists; a bad limit is a 400 naming the field."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    for text in ("yksi", "kaksi", "kolme"):
        assert (await host.call("announce", {"text": text}))["ok"]
    status, log = await get(server, "/api/events/testfair/moderation?limit=2", host.token)
    assert status == 200 and [e["detail"]["text"] for e in log] == ["kolme", "kaksi"]
    for bad in ("0", "-1", "x", "5001"):
        status, body = await get(server, f"/api/events/testfair/flags?limit={bad}", host.token)
        assert status == 400 and body["error"]["field"] == "limit"
