"""Where people sit, for storage: so a restart returns everyone to their table (v1.1).

`Seating` notes who changed rooms and hands storage the seats to write, cheaply:
the changes since it last asked (a few a second at most) while serving, and
every seat with its latest position once, at shutdown. Positions alone are not
written while serving; they move ten times a second.
"""

from __future__ import annotations

from collections.abc import Mapping

from rooms.model import Person, Room, Seat


class Seating:
    def __init__(self, rooms: Mapping[str, Room], people: Mapping[str, Person]) -> None:
        self._rooms = rooms
        self._people = people
        self._changed: set[str] = set()

    def changed(self, person_id: str) -> None:
        """The person sat down somewhere or left the floor."""
        self._changed.add(person_id)

    def all(self) -> list[Seat]:
        """Everyone on the floor (connected or in grace) with their position now."""
        return [Seat(pid, room.id, x, y)
                for room in self._rooms.values() for pid, (x, y) in room.occupants.items()]

    def drain(self) -> tuple[list[Seat], list[str]]:
        """Since the last call: the seats of people who changed rooms, and the people
        who left the floor."""
        seated: list[Seat] = []
        left: list[str] = []
        for pid in self._changed:
            person = self._people.get(pid)
            room = self._rooms.get(person.room) if person and person.room else None
            if room is None or pid not in room.occupants:
                left.append(pid)
            else:
                seated.append(Seat(pid, room.id, *room.occupants[pid]))
        self._changed.clear()
        return seated, left
