"""Host and moderator actions and flags, on the domain alone (no loop, time by hand)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from rooms.errors import BadRequest, Conflict, Forbidden, KohtaamoError, NotFound, RateLimited
from rooms.event import Event
from rooms.model import Role
from rooms.outbound import (
    EndSession,
    Message,
    Relocate,
    Result,
    ToEvent,
    ToPerson,
    ToRoom,
    ToStaff,
)
from rooms.staff import Action
from tests.rooms.helpers import T0, arrive, make_event, messages


def staffed() -> Event:
    event = make_event()
    arrive(event, "host", Role.HOST)
    arrive(event, "host2", Role.HOST)
    arrive(event, "mod", Role.MODERATOR)
    arrive(event, "mod2", Role.MODERATOR)
    arrive(event, "anna")
    arrive(event, "bert")
    return event


def state(event: Event) -> Any:
    """Everything a staff action could change, to compare before and after."""
    return (
        [r.wire() for r in event.rooms.values()],
        [(p.wire(), p.muted_until, p.connected) for p in event.people.values()],
        event.timer,
    )


# --- hosts -------------------------------------------------------------------------


def test_create_room_adds_an_open_table_and_marks_presence() -> None:
    """room:create adds an open table with the capacity, logged, seen in the next presence."""
    event = staffed()
    event.presence(T0)
    action = event.create_room("host", "Uusi", "New", 5, T0)
    assert action.room is not None and action.room.id not in event.rooms
    room = action.apply().reply["room"]
    assert room["open"] and room["capacity"] == 5 and room["kind"] == "table"
    assert room["id"] in event.rooms
    assert (action.actor, action.action, action.target) == ("host", "room:create", room["id"])
    presence = messages(event.presence(T0), "presence")[0].data
    assert [r["id"] for r in presence["rooms"]] == [room["id"]]


def test_update_room_changes_only_given_fields_and_null_capacity_removes_limit() -> None:
    """room:update keeps absent fields; capacity None with set_capacity lifts the limit."""
    event = staffed()
    event.update_room("host", "t1", T0, title="Työ ja yrittäjyys").apply()
    assert (event.rooms["t1"].title, event.rooms["t1"].capacity) == ("Työ ja yrittäjyys", 3)
    action = event.update_room("host", "t1", T0, capacity=None, set_capacity=True)
    action.apply()
    assert event.rooms["t1"].capacity is None and action.detail == {"capacity": None}
    with pytest.raises(BadRequest):
        event.update_room("host", "lobby", T0, capacity=4, set_capacity=True)
    with pytest.raises(NotFound):
        event.update_room("host", "nope", T0, title="x")


def test_close_room_moves_occupants_to_the_lobby() -> None:
    """room:close closes the table and moves everyone there to the lobby (room_closed)."""
    event = staffed()
    event.enter("anna", "t1", T0)
    event.enter("mod", "t1", T0)
    action = event.close_room("host", "t1", T0)
    assert action.detail == {"moved": 2} and action.room is not None and not action.room.open
    result = action.apply()
    assert not event.rooms["t1"].open and event.rooms["t1"].occupants == {}
    moved = messages(result, "moved")
    assert {m.to for m in moved} == {ToPerson("anna"), ToPerson("mod")}
    assert all(m.data["reason"] == "room_closed" and m.data["by"] == "Host" for m in moved)
    assert event.people["anna"].room == "lobby"
    event.open_room("host", "t1", T0).apply()
    assert event.rooms["t1"].open


def test_the_lobby_cannot_be_closed() -> None:
    """room:close on the lobby is a bad_request and changes nothing."""
    event = staffed()
    before = state(event)
    with pytest.raises(BadRequest):
        event.close_room("host", "lobby", T0)
    assert state(event) == before


def test_announce_and_timer_reach_everyone() -> None:
    """announce and timer:set/clear go to the whole event; setting again extends the timer."""
    event = staffed()
    ann = messages(event.announce("host", "Tervetuloa", T0).apply(), "announcement")[0]
    assert ann.to == ToEvent("fair") and ann.data["text"] == "Tervetuloa"
    assert ann.data["from"] == "host" and ann.data["name"] == "Host"
    first = event.set_timer("host", 60, "Kierros 1", T0).apply()
    assert first.reply["timer"] == {"label": "Kierros 1", "ends_at": T0 + 60_000}
    event.set_timer("host", 120, "Kierros 1", T0 + 1000).apply()
    assert event.timer is not None and event.timer.ends_at == T0 + 121_000
    cleared = messages(event.clear_timer("host", T0).apply(), "timer")[0]
    assert cleared.data is None and event.timer is None


def test_recall_moves_attendees_not_staff() -> None:
    """recall moves every attendee who is away from the lobby; staff stay put."""
    event = staffed()
    event.enter("anna", "t1", T0)
    event.enter("bert", "t2", T0)
    event.enter("mod", "t2", T0)
    action = event.recall("host", T0)
    assert action.detail == {"moved": 2}
    result = action.apply()
    assert result.reply == {"moved": 2}
    assert event.people["anna"].room == event.people["bert"].room == "lobby"
    assert event.people["mod"].room == "t2"
    assert all(m.data["reason"] == "recall" for m in messages(result, "moved"))


def test_recall_in_one_pass_tells_those_there_and_each_mover_once() -> None:
    """A recall's room:joined all go out before any mover enters the lobby's channel,
    and every mover's moved is one shared message: the lobby after everyone."""
    event = staffed()
    event.enter("anna", "t1", T0)
    event.enter("bert", "t2", T0)
    result = event.recall("host", T0).apply()
    out = result.out
    joined = [i for i, m in enumerate(out) if isinstance(m, Message) and m.name == "room:joined"]
    entered = [i for i, m in enumerate(out) if isinstance(m, Relocate) and m.entered == "lobby"]
    assert len(joined) == len(entered) == 2 and max(joined) < min(entered)
    assert all(out[i].to == ToRoom("lobby", exclude=p)  # type: ignore[union-attr]
               for i, p in zip(joined, ("anna", "bert"), strict=True))
    moved = messages(result, "moved")
    assert [m.to for m in moved] == [ToPerson("anna"), ToPerson("bert")]
    assert moved[0].data is moved[1].data
    occupants = {o["id"] for o in moved[0].data["room"]["occupants"]}
    assert {"anna", "bert", "host", "host2", "mod", "mod2"} <= occupants


def test_recall_one_at_a_time_leaves_the_same_floor() -> None:
    """With bulk_moves off, a recall seats the same people with a detail each."""
    event = staffed()
    event.floor.settings = dataclasses.replace(event.floor.settings, bulk_moves=False)
    event.enter("anna", "t1", T0)
    event.enter("bert", "t2", T0)
    result = event.recall("host", T0).apply()
    assert event.people["anna"].room == event.people["bert"].room == "lobby"
    moved = messages(result, "moved")
    assert moved[0].data is not moved[1].data
    assert "bert" in {o["id"] for o in moved[1].data["room"]["occupants"]}


# --- moderators --------------------------------------------------------------------


def test_timed_mute_blocks_talk_and_expires() -> None:
    """A timed mute stops say until its end; expire_mutes then sends unmuted and presence."""
    event = staffed()
    action = event.mute("mod", "anna", 5, T0)
    until = T0 + 5 * 60_000
    assert action.detail == {"minutes": 5, "until": until}
    result = action.apply()
    assert result.reply == {"until": until}
    muted = messages(result, "muted")[0]
    assert muted.to == ToPerson("anna") and muted.data == {"until": until, "by": "Mod"}
    assert event.people["anna"].is_muted(T0 + 1)
    assert event.expire_mutes(until - 1) == []
    event.presence(T0)
    out = event.expire_mutes(until)
    assert [m.name for m in messages(out)] == ["unmuted"]
    assert not event.people["anna"].muted
    people = messages(event.presence(until), "presence")[0].data["people"]
    assert [(p["id"], p["muted"]) for p in people] == [("anna", False)]


def test_open_mute_lasts_until_unmute() -> None:
    """A mute without minutes never expires; unmute lifts it and tells the target."""
    event = staffed()
    event.mute("host", "mod", None, T0).apply()
    assert event.expire_mutes(T0 + 10**9) == []
    out = event.unmute("host", "mod", T0).apply().out
    assert messages(out, "unmuted")[0].to == ToPerson("mod")
    assert not event.people["mod"].is_muted(T0)


def test_moderator_move_ignores_capacity() -> None:
    """mod:move seats the target even at a full table, with reason moderator and by."""
    event = staffed()
    for pid in ("x", "y", "z"):
        arrive(event, pid)
        event.enter(pid, "t1", T0)
    assert event.rooms["t1"].is_full
    action = event.moderator_move("mod", "anna", "t1", T0)
    result = action.apply()
    assert event.people["anna"].room == "t1"
    moved = messages(result, "moved")[0]
    assert moved.data["reason"] == "moderator" and moved.data["by"] == "Mod"
    assert action.detail == {"from": "lobby", "room": "t1"}


def test_moderator_move_needs_the_target_on_the_floor() -> None:
    """mod:move of someone who is not on the floor is not_found."""
    event = staffed()
    event.disconnect("anna", T0)
    event.expire(T0 + 60_000)
    with pytest.raises(NotFound):
        event.moderator_move("mod", "anna", "t1", T0)


def test_kick_tells_then_ends_the_session() -> None:
    """mod:kick sends kicked with the reason, then EndSession, and takes them off the floor."""
    event = staffed()
    action = event.kick("mod", "anna", "spam", True, T0)
    out = action.apply().out
    kicked = messages(out, "kicked")[0]
    assert kicked.to == ToPerson("anna") and kicked.data == {"reason": "spam"}
    ends = [o for o in out if isinstance(o, EndSession)]
    assert [e.person for e in ends] == ["anna"]
    assert out.index(kicked) < out.index(ends[0])
    assert event.people["anna"].room is None
    assert action.detail == {"reason": "spam", "ban": True}


# --- who may do what ---------------------------------------------------------------

HOST_ACTIONS: dict[str, Callable[[Event, str], Action]] = {
    "room:create": lambda e, a: e.create_room(a, "T", "", None, T0),
    "room:update": lambda e, a: e.update_room(a, "t2", T0, title="T"),
    "room:open": lambda e, a: e.open_room(a, "t2", T0),
    "room:close": lambda e, a: e.close_room(a, "t2", T0),
    "announce": lambda e, a: e.announce(a, "hi", T0),
    "timer:set": lambda e, a: e.set_timer(a, 60, "", T0),
    "timer:clear": lambda e, a: e.clear_timer(a, T0),
    "recall": lambda e, a: e.recall(a, T0),
}
MOD_ACTIONS: dict[str, Callable[[Event, str, str], Action]] = {
    "mod:mute": lambda e, a, t: e.mute(a, t, 5, T0),
    "mod:unmute": lambda e, a, t: e.unmute(a, t, T0),
    "mod:move": lambda e, a, t: e.moderator_move(a, t, "t2", T0),
    "mod:kick": lambda e, a, t: e.kick(a, t, "why", False, T0),
}
ACTORS = {"attendee": "anna", "moderator": "mod", "host": "host"}
TARGETS = {"attendee": "bert", "moderator": "mod2", "host": "host2"}


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("name", list(HOST_ACTIONS))
def test_host_actions_are_for_hosts_only(actor: str, name: str) -> None:
    """Each host action succeeds for a host and is forbidden, changing nothing, for others."""
    event = staffed()
    event.enter("bert", "t2", T0)
    before = state(event)
    if actor == "host":
        assert HOST_ACTIONS[name](event, ACTORS[actor]).action == name
    else:
        with pytest.raises(Forbidden):
            HOST_ACTIONS[name](event, ACTORS[actor])
        assert state(event) == before


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("name", list(MOD_ACTIONS))
def test_moderation_follows_rank(actor: str, target: str, name: str) -> None:
    """Moderators act on attendees, hosts on moderators and attendees; the rest is forbidden."""
    event = staffed()
    before = state(event)
    allowed = Role(actor).outranks(Role(target))
    if allowed:
        assert MOD_ACTIONS[name](event, ACTORS[actor], TARGETS[target]).target == TARGETS[target]
    else:
        with pytest.raises(Forbidden):
            MOD_ACTIONS[name](event, ACTORS[actor], TARGETS[target])
        assert state(event) == before


def test_nobody_moderates_themselves() -> None:
    """A host muting or kicking themselves is forbidden."""
    event = staffed()
    with pytest.raises(Forbidden):
        event.mute("host", "host", None, T0)
    with pytest.raises(Forbidden):
        event.kick("mod", "mod", "x", False, T0)


def test_unknown_targets_are_not_found() -> None:
    """Acting on an unknown person or room is not_found."""
    event = staffed()
    cases: list[Callable[[], object]] = [
        lambda: event.mute("mod", "ghost", None, T0),
        lambda: event.moderator_move("mod", "anna", "nowhere", T0),
        lambda: event.open_room("host", "nowhere", T0),
    ]
    for case in cases:
        with pytest.raises(NotFound):
            case()


def test_staff_actions_are_rate_limited() -> None:
    """A burst of staff actions beyond the limit is rate_limited."""
    event = staffed()
    with pytest.raises(RateLimited):
        for _ in range(100):
            event.announce("host", "hi", T0)


# --- flags -------------------------------------------------------------------------


def test_flag_goes_to_staff_online() -> None:
    """flag returns the record and sends flag:new to staff; flagging oneself is refused."""
    event = staffed()
    flagged = event.flag("anna", "bert", "rude", T0)
    record, out = flagged.flag, flagged.out
    assert flagged.reply == {"flag": record["flag"]}
    assert record["from"] == "anna" and record["person"] == "bert" and record["at"] == T0
    new = messages(out, "flag:new")[0]
    assert new.to == ToStaff("fair") and new.data == record
    failures: list[tuple[type[KohtaamoError], Callable[[], object]]] = [
        (BadRequest, lambda: event.flag("anna", "anna", "me", T0)),
        (NotFound, lambda: event.flag("anna", "ghost", "x", T0)),
    ]
    for error, case in failures:
        with pytest.raises(error):
            case()


def test_unban_lifts_only_a_ban_within_rank() -> None:
    """A kick with ban marks the person banned; unban clears it once, within rank."""
    event = make_event()
    mod = arrive(event, "mod", Role.MODERATOR)
    host = arrive(event, "host", Role.HOST)
    anna = arrive(event, "anna")
    with pytest.raises(Conflict):
        event.unban(mod.id, anna.id, T0)
    event.kick(mod.id, anna.id, "spam", True, T0).apply()
    assert anna.banned
    with pytest.raises(Forbidden):
        event.unban(mod.id, host.id, T0)
    action = event.unban(mod.id, anna.id, T0)
    assert anna.banned
    action.apply()
    assert not anna.banned and action.log_entry()["action"] == "mod:unban"


# --- plan, then apply ----------------------------------------------------------------


@pytest.mark.parametrize("name", [*HOST_ACTIONS, *MOD_ACTIONS])
def test_a_plan_changes_nothing_until_applied(name: str) -> None:
    """Every staff action decides without changing memory; only apply() changes it."""
    event = staffed()
    event.enter("bert", "t2", T0)
    event.enter("anna", "t1", T0)
    event.presence(T0)
    before = state(event)
    if name in HOST_ACTIONS:
        action = HOST_ACTIONS[name](event, "host")
    else:
        action = MOD_ACTIONS[name](event, "host", "bert")
    assert state(event) == before and event.presence(T0) == []
    assert isinstance(action.apply(), Result)


def test_a_recall_with_room_changes_tells_the_lobby_once_and_not_the_movers_again() -> None:
    """With batched room changes on, a recall's arrivals still reach everyone already
    in the lobby as room:joined (compact or not), and the lobby's next room:changes
    does not list the movers to each other again (their `moved` did)."""
    event = staffed()
    event.floor.settings = dataclasses.replace(event.floor.settings, room_changes=True)
    event.enter("anna", "t1", T0)
    event.enter("bert", "t2", T0)
    event.flush_positions(T0)
    out = event.recall("host", T0 + 1000).apply().out
    joined = [m for m in out if isinstance(m, Message) and m.name == "room:joined"]
    assert [m.to for m in joined] == [ToRoom("lobby", exclude="anna"),
                                      ToRoom("lobby", exclude="bert")]
    flushed = event.flush_positions(T0 + 1000)
    rooms = [m.data["room"] for m in messages(flushed, "room:changes")]
    assert "lobby" not in rooms and sorted(rooms) == ["t1", "t2"]
