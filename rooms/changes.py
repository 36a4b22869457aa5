"""What changed on the floor since the server last asked, for its tick to send.

`Positions` notes the rooms where someone moved, came or went and turns them
into `room:changes` (who came and went, for clients that asked for it) and
`positions` messages, a slice of the rooms at a time, so a newcomer's
points never reach a table before their arrival does; `Presence` notes the
people and rooms that changed or went and sums them up in one `presence`
message. Both only note and drain: `rooms.floor.Floor` tells them what
happened and holds the people and rooms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rooms.model import Person, Room
from rooms.outbound import Message, Outbox, ToRoom


class Positions:
    def __init__(self) -> None:
        # rooms with moves not yet flushed, and each room's slice of a split tick
        self._moved: set[str] = set()
        self._slices: dict[str, int] = {}
        #: room id -> who came or went since its last flush, in order
        self._comings: dict[str, dict[str, None]] = {}

    def moved(self, room_id: str) -> None:
        """Someone in the room has a new point pending."""
        self._moved.add(room_id)

    def came_or_went(self, room_id: str, person_id: str) -> None:
        """The person sat down at the room or left it (for its next `room:changes`)."""
        self._comings.setdefault(room_id, {})[person_id] = None
        self._moved.add(room_id)

    def told(self, room_id: str, person_ids: Iterable[str]) -> None:
        """These arrivals were told another way (a recall's `room:joined` to all)."""
        comings = self._comings.get(room_id)
        if comings:
            for pid in person_ids:
                comings.pop(pid, None)
            if not comings:
                del self._comings[room_id]

    def forget(self, room_id: str) -> None:
        """The room is gone from the floor."""
        self._moved.discard(room_id)
        self._slices.pop(room_id, None)
        self._comings.pop(room_id, None)

    def flush(
        self, rooms: Mapping[str, Room], now: int, part: int, parts: int,
        people: Mapping[str, Person] | None = None,
    ) -> Outbox:
        """One `room:changes` per room where someone came or went (to its compact
        members: whoever is there now among them is `joined`, the rest `left`), then
        one `positions` message per room where someone moved since its last flush.

        With `parts` > 1, only the rooms of slice `part` (0 ≤ part < parts): a tick
        split into parts flushes every room once a tick, but spreads the writes
        over it, so a move or a chat never waits behind all rooms' at once. Each
        room keeps its slice (given in the order rooms first see movement, so the
        slices stay even).
        """
        out: Outbox = []
        later: set[str] = set()
        for room_id in self._moved:
            if parts > 1 and self._slices.setdefault(room_id, len(self._slices)) % parts != part:
                later.add(room_id)
                continue
            room = rooms.get(room_id)
            if room is None:
                continue
            comings = self._comings.pop(room_id, None)
            if comings and people is not None:
                out.append(_changes(room, comings, people))
            if not room.pending:
                continue
            points = [[pid, x, y] for pid, (x, y) in room.pending.items()]
            room.pending.clear()
            out.append(Message(ToRoom(room_id), "positions",
                               {"room": room_id, "ts": now, "p": points}))
        self._moved = later
        return out


def _changes(room: Room, comings: Iterable[str], people: Mapping[str, Person]) -> Message:
    joined: list[dict[str, Any]] = []
    left: list[str] = []
    for person_id in comings:
        point = room.occupants.get(person_id)
        person = people.get(person_id)
        if point is None or person is None:
            left.append(person_id)
        else:
            joined.append({"person": person.wire(), "x": point[0], "y": point[1]})
    return Message(ToRoom(room.id, compact=True), "room:changes",
                   {"room": room.id, "joined": joined, "left": left})


class Presence:
    def __init__(self) -> None:
        self._changed_people: set[str] = set()
        self._changed_rooms: set[str] = set()
        self._gone: set[str] = set()
        self._rooms_gone: set[str] = set()

    def touch(self, people: Iterable[str] = (), rooms: Iterable[str] = ()) -> None:
        """Mark people or rooms as changed for the next presence message."""
        self._changed_people.update(people)
        self._changed_rooms.update(rooms)

    def seated(self, person_id: str, room_id: str) -> None:
        """The person sat down in the room (and is no longer gone)."""
        self._changed_rooms.add(room_id)
        self._changed_people.add(person_id)
        self._gone.discard(person_id)

    def left_floor(self, person_id: str) -> None:
        """The person is off the floor: listed as gone, not as changed."""
        self._changed_people.discard(person_id)
        self._gone.add(person_id)

    def room_removed(self, room_id: str) -> None:
        """The room is gone from the floor: listed in `rooms_gone`."""
        self._changed_rooms.discard(room_id)
        self._rooms_gone.add(room_id)

    def drain(
        self, people: Mapping[str, Person], rooms: Mapping[str, Room],
    ) -> dict[str, Any] | None:
        """What changed since the last call, as a presence payload (None: nothing)."""
        if not (self._changed_people or self._changed_rooms or self._gone or self._rooms_gone):
            return None
        changed = [
            people[pid].wire()
            for pid in self._changed_people
            if pid in people and people[pid].present
        ]
        gone = sorted(self._gone)
        data: dict[str, Any] = {
            "people": changed,
            "gone": gone,
            "rooms": [rooms[rid].wire() for rid in self._changed_rooms if rid in rooms],
        }
        self._changed_people.clear()
        self._changed_rooms.clear()
        self._gone.clear()
        if self._rooms_gone:  # extension: tables removed (a series' own)
            data["rooms_gone"] = sorted(self._rooms_gone)
            self._rooms_gone.clear()
        return data
