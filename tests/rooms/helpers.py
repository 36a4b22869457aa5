"""Builders for domain tests: an event with a lobby and tables, people on the floor."""

from __future__ import annotations

from rooms.cards import CardLimits
from rooms.event import Event
from rooms.model import Person, Role, Room, RoomKind, Settings
from rooms.outbound import Message, Outbox, Result
from rooms.profile import Profile

T0 = 1_800_000_000_000


def make_event(
    grace_ms: int = 30_000, capacity: int | None = 3, card_limits: CardLimits | None = None,
) -> Event:
    event = Event(
        "fair", "Fair", lobby=Room("lobby", "Aula", "Lobby", kind=RoomKind.LOBBY),
        settings=Settings(room_size=(1000, 800), grace_ms=grace_ms), card_limits=card_limits,
    )
    event.add_room(Room("t1", "Työ", "Employment", capacity=capacity))
    event.add_room(Room("t2", "Kielet", "Languages"))
    return event


def arrive(event: Event, pid: str, role: Role = Role.ATTENDEE, now: int = T0) -> Person:
    person = Person(pid, role, Profile(name=pid.title()))
    event.add_person(person)
    event.connect(pid, now)
    return person


def messages(out: Outbox | Result, name: str | None = None) -> list[Message]:
    """The messages of an outbox (or of a Result's), optionally only those named `name`."""
    if isinstance(out, Result):
        out = out.out
    return [m for m in out if isinstance(m, Message) and (name is None or m.name == name)]
