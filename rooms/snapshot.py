"""What a floor looks like from outside: the public event info and the floor's part
of the welcome a new connection receives. Pure functions of the floor's state,
which they only read.
"""

from __future__ import annotations

from typing import Any

from rooms.floor import Floor
from rooms.model import Person


def info(floor: Floor) -> dict[str, Any]:
    """Public event info for `GET /api/events/{event}`."""
    return {
        "slug": floor.slug,
        "title": floor.title,
        "description": floor.description,
        "requires_code": bool(floor.code),
        "rooms": [room.wire() for room in floor.rooms.values()],
    }


def welcome(floor: Floor, person_id: str, *, people: bool = True) -> dict[str, Any]:
    """The floor's part of the snapshot a new connection receives (`Event.welcome`
    adds the cards' part). Without `people`, the list of everyone present is left
    out, for the server to add from the encodings it keeps (`present_people`)."""
    me = floor.person(person_id)
    w, h = floor.settings.room_size
    snapshot: dict[str, Any] = {
        "event": {
            "slug": floor.slug,
            "title": floor.title,
            "description": floor.description,
            "lobby": floor.lobby.id,
            "timer": floor.timer.wire() if floor.timer else None,
            "tick_hz": floor.settings.tick_hz,
            "presence_hz": floor.settings.presence_hz,
            "grace_seconds": floor.settings.grace_ms / 1000,
            "room_size": [w, h],
        },
        "me": {**me.wire(), "card": me.profile.card(), "muted_until": me.muted_until},
        "rooms": [room.wire() for room in floor.rooms.values()],
        "room": floor.room_of(me).detail(),
    }
    if people:
        snapshot["people"] = [p.wire() for p in present_people(floor)]
    return snapshot


def present_people(floor: Floor) -> list[Person]:
    """Everyone on the floor (connected or in grace), as the welcome lists them."""
    return [p for p in floor.people.values() if p.present]
