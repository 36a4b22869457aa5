"""The whole role x action matrix on the real server: exactly the allowed cells succeed.

Actors are an attendee, a moderator and a host; targets, where an action has
one, a fresh attendee, moderator or host. A refused cell must answer
`forbidden` (403 over HTTP) and change nothing: not the memory, not the
database, not what the target and a bystander receive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rooms.model import Role, Timer
from server.world import now_ms
from tests.conftest import Person, Server
from tests.server.test_staff import get, rows, settle, tables

HOST_EVENTS = [
    "room:create", "room:update", "room:open", "room:close",
    "announce", "timer:set", "timer:clear", "recall",
]
MOD_EVENTS = ["mod:mute", "mod:unmute", "mod:move", "mod:kick", "mod:unban"]
ROLES = ["attendee", "moderator", "host"]
#: What anyone may notice of a staff action.
NOTICEABLE = ("muted", "unmuted", "moved", "kicked", "announcement", "timer", "disconnect")


async def person(server: Server, role: str, name: str) -> Person:
    if role == "attendee":
        return await server.connected(name)
    member = await server.staff(role, name)
    await member.connect()
    return member


async def snapshot(server: Server) -> Any:
    """Everything a staff action could change, in memory and in the database."""
    event = server.world().event("testfair")
    memory = (
        [r.wire() for r in event.rooms.values()],
        {pid: (p.wire(), p.muted_until, p.connected, p.banned)
         for pid, p in event.people.items()},
        event.timer,
    )
    stored = [
        await rows(server, "SELECT id, title, theme, open, capacity FROM rooms ORDER BY id"),
        await rows(server, "SELECT id, banned, muted, muted_until FROM people ORDER BY id"),
        await rows(server, "SELECT * FROM timers"),
        await rows(server, "SELECT * FROM moderation_log"),
    ]
    return memory, stored


PayloadFor = Callable[[dict[str, Any], str | None], dict[str, Any]]

PAYLOADS: dict[str, PayloadFor] = {
    "room:create": lambda w, t: {"title": "Matriisi", "theme": "Matrix", "capacity": 5},
    "room:update": lambda w, t: {"room": tables(w)[1], "title": "Uusi nimi", "capacity": 2},
    "room:open": lambda w, t: {"room": tables(w)[2]},
    "room:close": lambda w, t: {"room": tables(w)[1]},
    "announce": lambda w, t: {"text": "Hei kaikki"},
    "timer:set": lambda w, t: {"seconds": 60, "label": "Kierros"},
    "timer:clear": lambda w, t: {},
    "recall": lambda w, t: {},
    "mod:mute": lambda w, t: {"person": t, "minutes": 10},
    "mod:unmute": lambda w, t: {"person": t},
    "mod:move": lambda w, t: {"person": t, "room": tables(w)[2]},
    "mod:kick": lambda w, t: {"person": t, "reason": "Matriisi", "ban": True},
    "mod:unban": lambda w, t: {"person": t},
}

CELLS = [(actor, name, None) for actor in ROLES for name in HOST_EVENTS] + [
    (actor, name, target) for actor in ROLES for name in MOD_EVENTS for target in ROLES
]


def allowed(actor: str, name: str, target: str | None) -> bool:
    if target is None:
        return actor == "host"
    return Role(actor).outranks(Role(target))


@pytest.mark.parametrize(("actor", "name", "target"), CELLS)
async def test_staff_event_matrix(
    server: Server, actor: str, name: str, target: str | None,
) -> None:
    """Only hosts run host events; moderation needs a higher rank; the rest is forbidden."""
    me = await person(server, actor, "Actor")
    bystander = await server.connected("Bystander")
    welcome = await bystander.welcome()
    assert (await bystander.call("enter", {"room": tables(welcome)[1]}))["ok"]
    aimed = await person(server, target, "Target") if target else None
    event = server.world().event("testfair")
    # Give every action something to change: a closed table to open, a timer to
    # clear, a muted target to unmute.
    event.rooms[tables(welcome)[2]].open = False
    event.timer = Timer("Vanha", now_ms() + 60_000)
    if aimed is not None and name == "mod:unmute":
        event.people[aimed.id].muted = True
    if aimed is not None and name == "mod:unban":
        event.people[aimed.id].banned = True
        await server.world().storage.staff.ban(aimed.id)
        await server.world().storage.db.commit()
    watchers = [p for p in (bystander, aimed) if p is not None]
    before = await snapshot(server)

    reply = await me.call(name, PAYLOADS[name](welcome, aimed.id if aimed else None))

    if allowed(actor, name, target):
        assert reply["ok"], reply
        log = await rows(server, "SELECT actor, action, target FROM moderation_log")
        assert [(r["actor"], r["action"]) for r in log] == [(me.id, name)]
        if aimed is not None:
            assert log[0]["target"] == aimed.id
        assert await snapshot(server) != before
    else:
        assert reply["ok"] is False and reply["error"]["code"] == "forbidden", reply
        await settle(*watchers)
        assert await snapshot(server) == before
        for watcher in watchers:
            assert [n for n, _ in watcher.seen.events if n in NOTICEABLE] == []
            assert watcher.sio is not None and watcher.sio.connected


HTTP_CALLS = {"moderation": {"host"}, "flags": {"moderator", "host"},
              "bans": {"moderator", "host"}}


@pytest.mark.parametrize("actor", ROLES)
@pytest.mark.parametrize("what", list(HTTP_CALLS))
async def test_staff_http_matrix(server: Server, actor: str, what: str) -> None:
    """The log is for hosts, flags for moderators and hosts; everyone else gets 403."""
    me = await server.staff(actor, "Actor") if actor != "attendee" else await server.join("Actor")
    status, body = await get(server, f"/api/events/testfair/{what}", me.token)
    if actor in HTTP_CALLS[what]:
        assert status == 200 and isinstance(body, list)
    else:
        assert status == 403 and body["error"]["code"] == "forbidden"
