"""The domain under abuse (issue 10): join floods, never-connected joins, timed mutes
without a scan of everyone, per-person buckets, and odd payload types."""

from __future__ import annotations

import dataclasses

import pytest

from rooms.commands import COMMANDS
from rooms.errors import BadRequest, Conflict, RateLimited
from rooms.event import Event
from rooms.model import Person, Role, Room, RoomKind, Settings
from rooms.profile import Profile
from rooms.ratelimit import Limits, Rate
from tests.rooms.helpers import T0, arrive

HOUR = 3_600_000


def _event(**settings: object) -> Event:
    return Event(
        "fair", "Fair", lobby=Room("lobby", "Aula", "Lobby", kind=RoomKind.LOBBY),
        settings=Settings(**settings),  # type: ignore[arg-type]
        rates={"event_join": Rate(burst=3, per_second=1)},
    )


def _join(event: Event, pid: str, now: int, role: Role = Role.ATTENDEE) -> Person:
    event.admit_join(now)
    person = Person(pid, role, Profile(name=pid))
    event.add_person(person, awaiting_since=now)
    return person


def test_joins_to_the_event_are_rate_limited_whatever_the_address() -> None:
    """Past the event-wide burst, joins are rate_limited until the bucket refills."""
    event = _event()
    for i in range(3):
        _join(event, f"p{i}", T0)
    with pytest.raises(RateLimited):
        event.admit_join(T0)
    _join(event, "late", T0 + 1000)


def test_joins_stop_at_max_people() -> None:
    """An event holding `max_people` refuses the next join with conflict."""
    event = _event(max_people=2)
    _join(event, "a", T0)
    _join(event, "b", T0 + 1000)
    with pytest.raises(Conflict):
        event.admit_join(T0 + 5000)


def test_never_connected_joins_are_purged_after_a_while() -> None:
    """Attendees who never connected are forgotten `unconnected_ms` after joining;
    those who connected, and staff, are kept."""
    event = _event(unconnected_ms=HOUR)
    _join(event, "ghost", T0)
    _join(event, "came", T0)
    _join(event, "host", T0, Role.HOST)
    event.connect("came", T0 + 10)
    _join(event, "later", T0 + 2000)
    assert event.purge_unconnected(T0 + HOUR - 1) == []
    assert event.purge_unconnected(T0 + HOUR) == ["ghost"]
    assert set(event.people) == {"came", "host", "later"}
    assert event.purge_unconnected(T0 + HOUR + 2000) == ["later"]
    assert event.purge_unconnected(T0 + 10 * HOUR) == []


def test_purge_with_nothing_due_looks_at_the_oldest_only() -> None:
    """A purge with nothing due stops at the oldest join (it does not walk everyone)."""
    event = _event(unconnected_ms=HOUR)
    for i in range(1000):
        event.add_person(Person(f"p{i}", Role.ATTENDEE, Profile(name="x")),
                         awaiting_since=T0 + i * 1000)
    seen: list[str] = []

    class Spy(dict[str, Person]):
        def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
            seen.append(key)
            return super().get(key, default)

    event.floor.people = Spy(event.people)
    assert event.purge_unconnected(T0 + HOUR + 1000) == ["p0", "p1"]
    assert seen == ["p0", "p1"]


def test_timed_mutes_expire_without_looking_at_everyone() -> None:
    """expire_mutes lifts a timed mute when it passes; people never muted are not read."""
    event = _event()
    host = arrive(event, "host", Role.HOST)
    target = arrive(event, "target")
    for i in range(50):
        arrive(event, f"p{i}")
    event.mute(host.id, target.id, 1, T0).apply()
    assert event.expire_mutes(T0 + 59_999) == []
    out = event.expire_mutes(T0 + 60_000)
    assert [m.name for m in out] == ["unmuted"] and not target.muted
    assert event.timed_mutes == set()


def test_forgetting_a_person_keeps_everyone_elses_buckets() -> None:
    """Limits.forget drops one person's buckets (every action) and no one else's."""
    limits = Limits({"chat": Rate(1, 0.001), "move": Rate(1, 0.001)})
    for person in ("a", "b"):
        for action in ("chat", "move"):
            assert limits.allow(person, action, T0)
            assert not limits.allow(person, action, T0)
    limits.forget("a")
    assert len(limits) == 1
    assert limits.allow("a", "chat", T0) and limits.allow("a", "move", T0)
    assert not limits.allow("b", "chat", T0) and not limits.allow("b", "move", T0)
    limits.forget("nobody")


ODD_VALUES = [[], ["available"], {}, {"a": 1}, None, True, 1, 1.5, float("nan"), b"x",
              "x" * 100_000, -1, 10**30]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_field_refuses_odd_types_with_bad_request(name: str) -> None:
    """No payload value, of any type, makes a command's parse raise anything but BadRequest."""
    command = COMMANDS[name]
    fields = [f.name for f in dataclasses.fields(command) if "check" in f.metadata]  # type: ignore[arg-type]
    for field in fields:
        for value in ODD_VALUES:
            try:
                command.parse({field: value})
            except BadRequest:
                pass
    for payload in ([], "x", 1, [{"status": "busy"}], {1: 2}):
        with pytest.raises(BadRequest):
            command.parse(payload)


def test_status_with_a_list_is_a_bad_request() -> None:
    """`status: [...]` (unhashable) is bad_request, not a TypeError."""
    with pytest.raises(BadRequest):
        COMMANDS["status"].parse({"status": ["busy"]})


def test_limits_of_unforgotten_holders_are_pruned_once_refilled() -> None:
    """Per-address buckets (joins) are dropped once refilled, so a stream of new
    addresses does not grow memory without bound; a busy address keeps its limit."""
    limits = Limits({"join": Rate(burst=2, per_second=1)}, prune_every=10)
    for i in range(9):
        assert limits.allow(f"10.0.0.{i}", "join", T0)
    assert limits.allow("busy", "join", T0 + 500) and limits.allow("busy", "join", T0 + 500)
    assert len(limits) == 10  # the tenth call pruned nothing yet: all just used
    for i in range(10):
        limits.allow(f"10.1.0.{i}", "join", T0 + 1_000)
    # the 20th call pruned the first nine (refilled after a second); "busy" is not
    assert "10.0.0.0" not in limits.holders() and "busy" in limits.holders()
    assert not limits.allow("busy", "join", T0 + 1_000)  # its limit still holds
