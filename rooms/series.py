"""The nouns of networking rounds: a series, its phase, a grouping job, a meeting.

Plain records; the rules that change them live in `rooms.rounds`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from rooms.grouping import Participant

Pair = frozenset[str]


#: Who has met whom: person id -> the ids of everyone they met (both ways).
MetWith = dict[str, set[str]]
#: (people, group size, who met whom, seed) -> groups of person ids (`grouping.group`).
Grouper = Callable[[Sequence[Participant], int, Mapping[str, Collection[str]], int],
                   list[list[str]]]


class Phase(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    BETWEEN = "between"
    DONE = "done"


@dataclasses.dataclass(slots=True)
class Series:
    id: str
    rounds: int
    minutes: int
    group_size: int
    #: the tables the host chose, or None: the series makes its own
    chosen: tuple[str, ...] | None
    seed: int
    round: int = 0
    state: Phase = Phase.BETWEEN
    ends_at: int | None = None
    #: while paused: the phase it left and the time that was left of it
    paused_from: Phase | None = None
    paused_left: int = 0
    warned: bool = False
    #: a grouping job for the next round is out (`due` gave it, `seat` takes it back)
    grouping: bool = False
    #: this round's groups, as (room id, member ids)
    groups: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    made_rooms: list[str] = dataclasses.field(default_factory=list)
    new_pairs: int = 0

    def wire(self) -> dict[str, Any]:
        return {"id": self.id, "round": self.round, "of": self.rounds,
                "minutes": self.minutes, "group_size": self.group_size,
                "state": self.state.value, "ends_at": self.ends_at}


@dataclasses.dataclass(frozen=True, slots=True)
class GroupingJob:
    """The grouping of one round, on a snapshot: safe to run in another thread."""

    series: str
    round: int
    people: tuple[Participant, ...]
    size: int
    met: Mapping[str, frozenset[str]]
    seed: int
    grouper: Grouper

    def run(self) -> list[list[str]]:
        return self.grouper(self.people, self.size, self.met, self.seed)
