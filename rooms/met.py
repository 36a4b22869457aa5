"""Who has met whom at an event (issue 13): a pure tracker the server feeds.

Two people have *met* when they were in one round group (`grouped`), or sat
at one table within conversation distance of each other for at least
`met_after_ms` without a break (`observe`). Both return only the pairs that
met just now, as `Met` records, for the server to store; a pair meets once.

`observe` takes the positions the floor already has, per table, and the time.
It needs no particular rate: a pair counts as close from the first
observation that finds them close until one that does not (or finds them at
different tables), so observing each table once a second or so is plenty for
a two-minute threshold, and the server may observe a few tables per tick.
Each table's people are hashed into square cells as wide as the distance, so
only people in neighbouring cells are compared; the memory held is the pairs
close right now, not a history.

Pure: no clock (times are epoch ms given by the caller), no I/O.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence

#: Conversation distance in room units: the distance within which a voice plays
#: at full volume (`[media] hearing_full`'s default, server/media/settings.py).
CONVERSATION_DISTANCE = 150
#: `[rounds] met_after_seconds` (default 120), in ms.
MET_AFTER_MS = 120_000

Pair = tuple[str, str]
#: The cells compared with each cell besides itself: each neighbouring pair once.
_NEIGHBOURS = ((1, -1), (1, 0), (1, 1), (0, 1))
_NOBODY: frozenset[str] = frozenset()


def pair(a: str, b: str) -> Pair:
    """The unordered pair of two people, as one key (the smaller id first)."""
    return (a, b) if a < b else (b, a)


class Via(enum.StrEnum):
    ROUND = "round"
    TABLE = "table"


@dataclasses.dataclass(frozen=True, slots=True)
class Met:
    """`a` and `b` (a < b) met at `room` at `at` (epoch ms), in a round or at a table."""

    a: str
    b: str
    room: str
    at: int
    via: Via


class MetTracker:
    """Who has met whom at one event, and who is close to whom now."""

    def __init__(self, *, met_after_ms: int = MET_AFTER_MS,
                 distance: int = CONVERSATION_DISTANCE, known: Iterable[Pair] = ()) -> None:
        """`known`: pairs who met before (from storage, after a restart)."""
        if met_after_ms < 0 or distance <= 0:
            raise ValueError("met_after_ms must be >= 0 and distance > 0")
        self.met_after_ms = met_after_ms
        self.distance = distance
        #: person -> everyone they have met; `rooms.grouping.group` takes it as is
        self.met_with: dict[str, set[str]] = {}
        #: room -> pair close there now -> since when (epoch ms)
        self._close: dict[str, dict[Pair, int]] = {}
        self.know(known)

    def know(self, pairs: Iterable[Pair]) -> None:
        """Pairs who met before (from storage, after a restart)."""
        for a, b in pairs:
            self._add(a, b)

    def has_met(self, a: str, b: str) -> bool:
        return b in self.met_with.get(a, _NOBODY)

    def pairs(self) -> Iterator[Pair]:
        """Every pair who met, each once."""
        for a, others in self.met_with.items():
            for b in others:
                if a < b:
                    yield (a, b)

    def count(self, person: str) -> int:
        """How many people `person` has met."""
        return len(self.met_with.get(person, _NOBODY))

    def grouped(self, members: Sequence[str], room: str, now: int) -> list[Met]:
        """A round seated `members` together at `room`: each pair of them has met.
        Returns the pairs new to each other."""
        found = []
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a != b and not self.has_met(a, b):
                    self._add(a, b)
                    x, y = pair(a, b)
                    found.append(Met(x, y, room, now, Via.ROUND))
        return found

    def observe(self, tables: Mapping[str, Mapping[str, tuple[int, int]]],
                now: int) -> list[Met]:
        """Positions now at some tables (room -> person -> (x, y)); tables not given
        are left as they were. Returns the pairs who have now been close at one of
        them for `met_after_ms` and had not met before."""
        found: list[Met] = []
        for room, occupants in tables.items():
            before = self._close.get(room)
            if len(occupants) < 2:
                if before:
                    del self._close[room]
                continue
            after: dict[Pair, int] = {}
            for key in self._near(occupants):
                since = before.get(key, now) if before else now
                if now - since >= self.met_after_ms:
                    self._add(*key)
                    found.append(Met(key[0], key[1], room, now, Via.TABLE))
                else:
                    after[key] = since
            self._close[room] = after
        return found

    def forget_room(self, room: str) -> None:
        """A table is gone: drop who was close there."""
        self._close.pop(room, None)

    def forget(self, person: str) -> None:
        """Someone erased themselves: nothing of them stays here."""
        for other in self.met_with.pop(person, _NOBODY):
            others = self.met_with.get(other)
            if others is not None:
                others.discard(person)
        for room, close in self._close.items():
            self._close[room] = {k: v for k, v in close.items() if person not in k}

    # --- internals -------------------------------------------------------------------

    def _add(self, a: str, b: str) -> None:
        self.met_with.setdefault(a, set()).add(b)
        self.met_with.setdefault(b, set()).add(a)

    def _near(self, occupants: Mapping[str, tuple[int, int]]) -> list[Pair]:
        """The pairs at one table within the distance who have not met yet."""
        cell = self.distance
        reach = cell * cell
        met_with = self.met_with
        grid: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
        for pid, (x, y) in occupants.items():
            key = (x // cell, y // cell)
            found = grid.get(key)
            if found is None:
                grid[key] = [(pid, x, y)]
            else:
                found.append((pid, x, y))
        near: list[Pair] = []
        for (cx, cy), here in grid.items():
            for i, (a, ax, ay) in enumerate(here):
                known = met_with.get(a, _NOBODY)
                for b, bx, by in here[i + 1:]:
                    if (ax - bx) ** 2 + (ay - by) ** 2 <= reach and b not in known:
                        near.append((a, b) if a < b else (b, a))
            for dx, dy in _NEIGHBOURS:
                there = grid.get((cx + dx, cy + dy))
                if there is None:
                    continue
                for a, ax, ay in here:
                    known = met_with.get(a, _NOBODY)
                    for b, bx, by in there:
                        if (ax - bx) ** 2 + (ay - by) ** 2 <= reach and b not in known:
                            near.append((a, b) if a < b else (b, a))
        return near
