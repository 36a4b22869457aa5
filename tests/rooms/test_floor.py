"""The floor's rules, on the domain alone: no loop, no server, time moved by hand."""

from __future__ import annotations

import math

import pytest

from rooms.commands import Move, Say
from rooms.errors import BadRequest, Muted, NotFound, RateLimited, RoomClosed, RoomFull
from rooms.model import CHAT_HISTORY, Role, Status
from rooms.outbound import EndSession, Relocate, ToEvent, ToPerson, ToRoom
from tests.rooms.helpers import T0, arrive, make_event, messages


def test_newcomers_start_in_the_lobby_and_are_announced() -> None:
    """A first connection seats the person in the lobby and tells the lobby."""
    event = make_event()
    anna = arrive(event, "anna")
    assert anna.room == "lobby"
    bert = arrive(event, "bert")
    assert bert.room == "lobby"
    assert set(event.lobby.occupants) == {"anna", "bert"}


def test_enter_moves_between_rooms_and_tells_both() -> None:
    """Entering a table sends room:left to the old room and room:joined to the new one."""
    event = make_event()
    arrive(event, "anna")
    result = event.enter("anna", "t1", T0)
    detail, out = result.reply["room"], result.out
    assert detail["room"]["id"] == "t1" and detail["room"]["count"] == 1
    left = messages(out, "room:left")[0]
    joined = messages(out, "room:joined")[0]
    assert left.to == ToRoom("lobby", exclude="anna")
    assert joined.to == ToRoom("t1", exclude="anna")
    assert joined.data["person"]["id"] == "anna"
    assert Relocate("anna", "lobby", None) in out and Relocate("anna", None, "t1") in out


def test_capacity_is_enforced_for_attendees_not_staff() -> None:
    """A full table refuses attendees with room_full; staff still get in."""
    event = make_event(capacity=2)
    for pid in ("a", "b"):
        arrive(event, pid)
        event.enter(pid, "t1", T0)
    arrive(event, "c")
    with pytest.raises(RoomFull):
        event.enter("c", "t1", T0)
    assert event.people["c"].room == "lobby"
    arrive(event, "host", Role.HOST)
    event.enter("host", "t1", T0)
    assert len(event.rooms["t1"].occupants) == 3


def test_closed_and_unknown_rooms() -> None:
    """Closed tables refuse attendees; unknown rooms are not_found; nothing changes."""
    event = make_event()
    arrive(event, "anna")
    event.rooms["t2"].open = False
    with pytest.raises(RoomClosed):
        event.enter("anna", "t2", T0)
    with pytest.raises(NotFound):
        event.enter("anna", "nope", T0)
    assert event.people["anna"].room == "lobby"


def test_moves_coalesce_to_the_latest_point_per_person() -> None:
    """Many moves between ticks give one positions message with the last point."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    for i in range(50):
        event.move("anna", i, i * 2, T0 + i * 100)
    event.move("bert", 5, 5, T0)
    out = event.flush_positions(T0 + 5000)
    assert len(out) == 1
    data = messages(out, "positions")[0].data
    assert data["room"] == "lobby" and data["ts"] == T0 + 5000
    assert sorted(data["p"]) == [["anna", 49, 98], ["bert", 5, 5]]
    assert event.flush_positions(T0 + 200) == []


def test_positions_go_only_to_the_movers_room() -> None:
    """Each room with movement gets its own positions message; quiet rooms get none."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.enter("bert", "t2", T0)
    event.move("bert", 1, 1, T0)
    out = event.flush_positions(T0)
    assert [m.to for m in messages(out)] == [ToRoom("t2")]


def test_a_split_tick_flushes_each_room_once_in_its_own_slice() -> None:
    """With the tick in two parts, each moving room is flushed in one slice only, every
    tick, and a move made after its slice waits for that slice in the next tick."""
    event = make_event(capacity=None)
    for pid, room in (("anna", "lobby"), ("bert", "t1"), ("cai", "t2")):
        arrive(event, pid)
        if room != "lobby":
            event.enter(pid, room, T0)
    for pid in ("anna", "bert", "cai"):
        event.move(pid, 1, 1, T0)
    def flushed(now: int, part: int) -> set[str]:
        return {m.data["room"] for m in messages(event.flush_positions(now, part, 2))}

    first, second = flushed(T0, 0), flushed(T0, 1)
    assert first and second and first | second == {"lobby", "t1", "t2"}
    assert not first & second
    # the next tick: the same rooms in the same slices
    for pid in ("anna", "bert", "cai"):
        event.move(pid, 2, 2, T0 + 100)
    assert flushed(T0 + 100, 0) == first
    # a move in a slice-0 room after slice 0 waits for the next tick's slice 0
    room = sorted(first)[0]
    mover = {"lobby": "anna", "t1": "bert", "t2": "cai"}[room]
    event.move(mover, 3, 3, T0 + 150)
    assert flushed(T0 + 150, 1) == second
    out = messages(event.flush_positions(T0 + 200, 0, 2))
    assert [m.to for m in out] == [ToRoom(room)] and out[0].data["p"] == [[mover, 3, 3]]


def test_points_are_clamped_into_the_room() -> None:
    """Points outside room_size are clamped to its edges."""
    event = make_event()
    arrive(event, "anna")
    event.move("anna", -50, 5000, T0)
    assert event.lobby.occupants["anna"] == (0, 800)


def test_non_finite_moves_are_refused_at_the_edge() -> None:
    """NaN, infinity, booleans and strings never become a Move."""
    for bad in ({"x": math.nan, "y": 1}, {"x": math.inf, "y": 1}, {"x": True, "y": 1},
                {"x": "1", "y": 1}, {"x": 1}, [1, 2], "x", None):
        with pytest.raises(BadRequest):
            Move.parse(bad)


def test_moves_above_the_rate_are_dropped() -> None:
    """The move bucket drops what comes faster than the configured rate."""
    event = make_event()
    arrive(event, "anna")
    for i in range(100):
        event.move("anna", i, i, T0)  # all at the same instant
    burst = int(event.limits.rates["move"].burst)
    assert event.lobby.pending["anna"] == (burst - 1, burst - 1)


def test_chat_reaches_the_room_and_keeps_the_last_fifty() -> None:
    """say goes to the room (sender included) and history is a ring of 50."""
    event = make_event()
    arrive(event, "anna")
    event.limits.rates["chat"] = event.limits.rates["move"]
    for i in range(CHAT_HISTORY + 10):
        result = event.say("anna", f"hei {i}", T0 + i * 1000)
        assert messages(result, "chat")[0].to == ToRoom("lobby")
    history = event.lobby.detail()["chat"]
    assert len(history) == CHAT_HISTORY and history[-1]["text"] == f"hei {CHAT_HISTORY + 9}"
    message = result.reply["message"]
    assert message["from"] == "anna" and message["name"] == "Anna"


def test_chat_rate_limit_uses_the_given_clock() -> None:
    """Past the burst, say is rate_limited until time passes."""
    event = make_event()
    arrive(event, "anna")
    burst = int(event.limits.rates["chat"].burst)
    for _ in range(burst):
        event.say("anna", "x", T0)
    with pytest.raises(RateLimited):
        event.say("anna", "x", T0)
    event.say("anna", "x", T0 + 5_000)


def test_whisper_goes_only_to_the_addressee() -> None:
    """A whisper is one message to one person, with `to`."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    result = event.whisper("anna", "bert", "psst", T0)
    assert [(m.to, m.name) for m in messages(result)] == [(ToPerson("bert"), "whisper")]
    assert result.reply["message"]["to"] == "bert"
    with pytest.raises(NotFound):
        event.whisper("anna", "nobody", "psst", T0)
    with pytest.raises(BadRequest):
        event.whisper("anna", "anna", "psst", T0)


def test_muted_people_cannot_talk() -> None:
    """A muted person's say and whisper raise Muted until the mute ends."""
    event = make_event()
    anna = arrive(event, "anna")
    arrive(event, "bert")
    anna.muted, anna.muted_until = True, T0 + 60_000
    with pytest.raises(Muted):
        event.say("anna", "hei", T0)
    with pytest.raises(Muted):
        event.whisper("anna", "bert", "hei", T0)
    event.say("anna", "hei", T0 + 60_000)


def test_wave_reaches_the_person() -> None:
    """wave sends waved with the waver's public person."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    out = event.wave("anna", "bert", T0)
    waved = messages(out, "waved")[0]
    assert waved.to == ToPerson("bert") and waved.data["from"]["id"] == "anna"


def test_grace_keeps_room_and_position_then_expires() -> None:
    """Within grace a reconnect resumes silently; after it, the room hears room:left."""
    event = make_event(grace_ms=10_000)
    arrive(event, "anna")
    arrive(event, "bert")
    event.enter("anna", "t1", T0)
    event.move("anna", 100, 100, T0)
    event.flush_positions(T0)
    event.presence(T0)
    event.disconnect("anna", T0)
    assert event.expire(T0 + 9_999) == []
    resumed, out = event.connect("anna", T0 + 9_999)
    assert resumed and messages(out) == []
    assert event.rooms["t1"].occupants["anna"] == (100, 100)
    assert event.presence(T0 + 9_999) == []
    event.disconnect("anna", T0 + 10_000)
    out = event.expire(T0 + 20_000)
    assert messages(out, "room:left")[0].data == {"room": "t1", "person": "anna"}
    presence = messages(event.presence(T0 + 20_000), "presence")[0].data
    assert presence["gone"] == ["anna"]
    assert event.people["anna"].room is None


def test_presence_reports_only_what_changed() -> None:
    """presence carries changed people and rooms once, then nothing until more changes."""
    event = make_event()
    arrive(event, "anna")
    first = messages(event.presence(T0), "presence")[0]
    assert first.to == ToEvent("fair")
    assert [p["id"] for p in first.data["people"]] == ["anna"]
    assert [r["id"] for r in first.data["rooms"]] == ["lobby"]
    assert event.presence(T0) == []
    event.set_status("anna", Status.BUSY, T0)
    second = messages(event.presence(T0), "presence")[0].data
    assert second["people"][0]["status"] == "busy" and second["rooms"] == []


def test_welcome_lists_people_on_the_floor_and_my_room() -> None:
    """welcome has the event settings, me with my card, everyone present and my room."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.disconnect("bert", T0)  # in grace: still listed
    welcome = event.welcome("anna")
    assert welcome["event"]["lobby"] == "lobby" and welcome["event"]["room_size"] == [1000, 800]
    assert welcome["me"]["card"]["name"] == "Anna" and welcome["me"]["muted_until"] is None
    assert {p["id"] for p in welcome["people"]} == {"anna", "bert"}
    assert welcome["room"]["room"]["id"] == "lobby"
    assert {o["id"] for o in welcome["room"]["occupants"]} == {"anna", "bert"}


def test_failed_requests_change_nothing() -> None:
    """An enter that fails leaves rooms, people and presence as they were."""
    event = make_event(capacity=1)
    arrive(event, "anna")
    arrive(event, "bert")
    event.enter("anna", "t1", T0)
    event.presence(T0)
    with pytest.raises(RoomFull):
        event.enter("bert", "t1", T0)
    assert event.presence(T0) == []
    assert event.people["bert"].room == "lobby"


def test_end_session_tells_then_disconnects() -> None:
    """end_session sends its message before EndSession and takes the person off the floor."""
    event = make_event()
    anna = arrive(event, "anna")
    out = event.end_session(anna, "kicked", {"reason": "spam"}, "kicked", T0)
    assert messages(out)[0].name == "kicked"
    assert isinstance(out[1], EndSession)
    assert anna.room is None


def test_say_payload_limits() -> None:
    """say text is trimmed and must be 1..1000 characters."""
    assert Say.parse({"text": "  hei  "}).text == "hei"
    for bad in ({"text": "   "}, {"text": "x" * 1001}, {"text": 5}, {}, {"text": "a", "x": 1}):
        with pytest.raises(BadRequest):
            Say.parse(bad)


def test_admit_refuses_newcomers_when_the_event_is_full() -> None:
    """admit raises Conflict while as many people are connected as the capacity."""
    from rooms.errors import Conflict

    event = make_event()
    event.capacity = 1
    event.admit()
    arrive(event, "anna")
    with pytest.raises(Conflict):
        event.admit()
    event.disconnect("anna", T0)
    event.admit()
