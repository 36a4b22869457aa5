"""The nouns of the floor: roles, statuses, rooms and people, and their wire shapes.

These are plain records; the rules that change them live in `rooms.event`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import deque
from typing import Any

from rooms.profile import Profile
from rooms.spacing import Grid

#: The contract sends the last 50 chat messages of a room.
CHAT_HISTORY = 50


class Role(enum.StrEnum):
    ATTENDEE = "attendee"
    MODERATOR = "moderator"
    HOST = "host"

    @property
    def is_staff(self) -> bool:
        return self is not Role.ATTENDEE

    def outranks(self, other: Role) -> bool:
        """A host may act on moderators and attendees; a moderator on attendees."""
        order = {Role.ATTENDEE: 0, Role.MODERATOR: 1, Role.HOST: 2}
        return order[self] > order[other]


class Status(enum.StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


class RoomKind(enum.StrEnum):
    LOBBY = "lobby"
    TABLE = "table"


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Per-event floor settings, from config.toml [server]."""

    room_size: tuple[int, int] = (1000, 1000)
    grace_ms: int = 30_000
    tick_hz: float = 10
    presence_hz: float = 2
    #: Most people (joined, not purged or erased) an event holds; None for no limit.
    max_people: int | None = 20_000
    #: Attendees who never connected are forgotten this long after joining.
    unconnected_ms: int = 3_600_000
    #: A recall seats everyone in one pass (`Floor.move_all_to`): one lobby detail
    #: for all, `room:joined` only to those already there; else one `move_to` each.
    bulk_moves: bool = True
    #: Arrivals and departures also summed up per table per tick in one
    #: `room:changes` for clients that asked for it (`compact`); the others keep
    #: one `room:joined` / `room:left` per person.
    room_changes: bool = False


@dataclasses.dataclass(slots=True)
class Room:
    id: str
    title: str
    theme: str
    kind: RoomKind = RoomKind.TABLE
    open: bool = True
    capacity: int | None = None
    #: person id -> (x, y) of everyone seated here, in arrival order.
    occupants: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    #: person id -> latest point not yet flushed to the room.
    pending: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    chat: deque[dict[str, Any]] = dataclasses.field(
        default_factory=lambda: deque(maxlen=CHAT_HISTORY)
    )
    #: who stands near whom (`rooms.spacing`); kept by `place` and `remove`.
    grid: Grid = dataclasses.field(default_factory=Grid, repr=False, compare=False)

    def place(self, person_id: str, point: tuple[int, int]) -> None:
        """Stand the person at the point (seated here if they were not)."""
        self.occupants[person_id] = point
        self.grid.put(person_id, point)

    def remove(self, person_id: str) -> None:
        self.occupants.pop(person_id, None)
        self.pending.pop(person_id, None)
        self.grid.drop(person_id)
    #: (issue 12) language code -> title / theme; `title` and `theme` are the
    #: event's default language's, derived from these (rooms/languages.py).
    titles: dict[str, str] = dataclasses.field(default_factory=dict)
    themes: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and len(self.occupants) >= self.capacity

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "theme": self.theme,
            "kind": self.kind.value,
            "open": self.open,
            "capacity": self.capacity,
            "count": len(self.occupants),
            "titles": dict(self.titles),
            "themes": dict(self.themes),
        }

    def detail(self) -> dict[str, Any]:
        return {
            "room": self.wire(),
            "occupants": [{"id": pid, "x": x, "y": y} for pid, (x, y) in self.occupants.items()],
            "chat": list(self.chat),
        }


@dataclasses.dataclass(slots=True)
class Person:
    id: str
    role: Role
    profile: Profile
    status: Status = Status.AVAILABLE
    #: Epoch ms when the mute ends; None with `muted` for an open-ended mute.
    muted: bool = False
    muted_until: int | None = None
    room: str | None = None
    #: True while a connection is live.
    connected: bool = False
    #: When the last connection dropped; the person is "in grace" until it expires.
    dropped_at: int | None = None
    #: Refused at the door (their token) until a moderator lifts the ban.
    banned: bool = False
    #: The version of their profile photo (`server.photos`), None without one.
    photo: int | None = None
    #: Bumped whenever a field that `wire()` reads is set, so the server may keep
    #: each person's encoded wire shape until it changes (`server.realtime.welcome`).
    version: int = dataclasses.field(default=0, compare=False, repr=False)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name in _WIRE_FIELDS:
            # during __init__ `version` is not set yet (it is the last field)
            object.__setattr__(self, "version", getattr(self, "version", 0) + 1)

    @property
    def present(self) -> bool:
        """Connected or in grace: visible on the floor."""
        return self.room is not None

    def is_muted(self, now_ms: int) -> bool:
        return self.muted and (self.muted_until is None or now_ms < self.muted_until)

    def wire(self) -> dict[str, Any]:
        p = self.profile
        return {
            "id": self.id,
            "name": p.name,
            "organization": p.organization,
            "title": p.title,
            # public so people with shared interests can find each other
            "interests": list(p.interests),
            "role": self.role.value,
            "room": self.room,
            "status": self.status.value,
            "muted": self.muted,
            "photo": photo_url(self.id, self.photo),
        }


#: The fields of `Person` that `Person.wire()` reads (the profile is replaced whole).
_WIRE_FIELDS = frozenset({"id", "role", "profile", "status", "muted", "room", "photo"})


def photo_url(person_id: str, version: int | None) -> str | None:
    """Where a person's photo is served (same origin), versioned so it may be cached
    for good; None without a photo."""
    return None if version is None else f"/api/photos/{person_id}.webp?v={version}"


@dataclasses.dataclass(frozen=True, slots=True)
class Timer:
    label: str
    ends_at: int

    def wire(self) -> dict[str, Any]:
        return {"label": self.label, "ends_at": self.ends_at}


@dataclasses.dataclass(frozen=True, slots=True)
class Visit:
    """A fact for the organizer report: `person` entered (or left) `room` at `at`."""

    person: str
    room: str
    entered: bool
    at: int


@dataclasses.dataclass(frozen=True, slots=True)
class Seat:
    """Where someone sits: kept in storage so a restart returns them there (v1.1)."""

    person: str
    room: str
    x: int
    y: int
