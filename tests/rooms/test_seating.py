"""Where people sit, kept for a restart (v1.1), and `say` for the room it was typed in."""

from __future__ import annotations

import pytest

from rooms.commands import Say
from rooms.errors import BadRequest, Moved
from rooms.event import Event
from rooms.model import Person, Role, Seat
from rooms.profile import Profile
from tests.rooms.helpers import T0, arrive, make_event, messages


def restarted(*seats: Seat, grace_ms: int = 30_000) -> Event:
    """A fresh event (as after a restart) knowing anna and bert, with `seats` restored."""
    event = make_event(grace_ms=grace_ms)
    for pid in ("anna", "bert"):
        event.add_person(Person(pid, Role.ATTENDEE, Profile(name=pid.title())))
    for seat in seats:
        assert event.restore_seat(seat, T0)
    return event


def test_a_restored_seat_is_in_grace_at_its_table_and_spot() -> None:
    """A restored person is present (in welcomes, counted at the table) but not connected."""
    event = restarted(Seat("anna", "t1", 120, 340))
    anna = event.people["anna"]
    assert (anna.room, anna.connected, anna.dropped_at) == ("t1", False, T0)
    assert event.rooms["t1"].occupants == {"anna": (120, 340)}
    assert event.connected_count == 0
    arrive(event, "bert")
    welcome = event.welcome("bert")
    assert "anna" in [p["id"] for p in welcome["people"]]
    assert event.rooms["t1"].wire()["count"] == 1


def test_reconnecting_within_grace_resumes_without_a_word() -> None:
    """Connecting after a restore resumes room and position; nobody hears a join."""
    event = restarted(Seat("anna", "t1", 120, 340))
    resumed, out = event.connect("anna", T0 + 10_000)
    assert resumed and not messages(out)
    assert event.people["anna"].room == "t1"
    assert event.rooms["t1"].occupants["anna"] == (120, 340)
    assert event.expire(T0 + 60_000) == []


def test_a_restored_seat_expires_after_grace_like_a_drop() -> None:
    """Nobody back within grace_seconds of the restart: they leave the table then."""
    event = restarted(Seat("anna", "t1", 120, 340), grace_ms=5_000)
    assert event.expire(T0 + 4_999) == []
    out = event.expire(T0 + 5_000)
    assert [m.data for m in messages(out, "room:left")] == [{"room": "t1", "person": "anna"}]
    assert event.people["anna"].room is None and not event.rooms["t1"].occupants


def test_restore_clamps_the_point_and_falls_back_to_the_lobby() -> None:
    """A point outside the room is clamped; a table gone since means the lobby."""
    event = restarted(Seat("anna", "t1", -5, 99_999), Seat("bert", "gone", 10, 10))
    assert event.rooms["t1"].occupants["anna"] == (0, 800)
    assert event.people["bert"].room == "lobby"
    seated, left = event.seating.drain()
    assert seated == [Seat("bert", "lobby", 10, 10)] and left == []


def test_restore_skips_unknown_and_seated_people() -> None:
    """Unknown people and people already on the floor are left as they are."""
    event = restarted()
    assert not event.restore_seat(Seat("nobody", "t1", 1, 1), T0)
    arrive(event, "anna")
    assert not event.restore_seat(Seat("anna", "t1", 1, 1), T0)
    assert event.people["anna"].room == "lobby"


def test_seating_drains_room_changes_not_moves() -> None:
    """Room changes and leaving are drained once; moves alone are not; all() has positions."""
    event = make_event(grace_ms=1_000)
    arrive(event, "anna")
    arrive(event, "bert")
    event.enter("anna", "t1", T0)
    seated, left = event.seating.drain()
    assert sorted(s.person for s in seated) == ["anna", "bert"] and left == []
    assert {s.person: s.room for s in seated} == {"anna": "t1", "bert": "lobby"}
    event.move("anna", 10, 20, T0)
    assert event.seating.drain() == ([], [])
    assert Seat("anna", "t1", 10, 20) in event.seating.all()
    event.disconnect("bert", T0)
    assert event.seating.drain() == ([], [])  # in grace: still seated
    event.expire(T0 + 1_000)
    assert event.seating.drain() == ([], ["bert"])
    assert [s.person for s in event.seating.all()] == ["anna"]


def test_say_for_another_room_is_refused_and_changes_nothing() -> None:
    """`say` typed for a room one has left raises Moved; no chat, no rate spent."""
    event = make_event()
    arrive(event, "anna")
    event.enter("anna", "t1", T0)
    for _ in range(20):
        with pytest.raises(Moved):
            event.say("anna", "hei", T0, room_id="lobby")
    assert not event.rooms["t1"].chat and not event.lobby.chat
    result = event.say("anna", "hei", T0, room_id="t1")
    assert result.reply["message"]["room"] == "t1" and messages(result.out, "chat")


def test_say_room_is_an_optional_id() -> None:
    """`room` may be absent or null; anything but an id is bad_request naming it."""
    assert Say.parse({"text": "hei"}).room is None
    assert Say.parse({"text": "hei", "room": None}).room is None
    assert Say.parse({"text": "hei", "room": "t1"}).room == "t1"
    for bad in (5, "", ["t1"], "x" * 1000):
        with pytest.raises(BadRequest) as err:
            Say.parse({"text": "hei", "room": bad})
        assert err.value.field == "room"
