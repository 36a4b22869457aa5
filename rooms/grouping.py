"""Networking rounds: who sits with whom in one round (issue 13).

`group(people, size, met, seed)` splits the people present into groups. What
it aims for, in this order (a lexicographic cost, see `Score`):

1. every group shares a language, where the people present allow it;
2. nobody meets someone they have already met in this event, where avoidable;
3. people who share interests sit together.

Group sizes are a rule, not an aim (`group_sizes`): k = ceil(n / size) groups,
their sizes n // k or n // k + 1, so they differ by at most one and none is
larger than `size` — except that nobody sits alone: with size 2 and an odd
number of people one group has three.

How (`rooms.grouping_search`): up to nine people, every grouping is scored
(at most 1,260). Beyond, a greedy pass seats the hardest people first (those
who share a language with the fewest others present), each in the oldest open
group that still shares a language with them, choosing among the first few
such groups one that needs them to fill up with speakers of its language,
else one where they have met nobody and share the most interests. A
local search then swaps people between groups (or moves one from a larger
group to a smaller, or moves two or three at once) while that lowers the cost:
first around the groups without a shared language or with a repeated pair,
then every pair (up to ~140 people) or random pairs who share an interest;
small rounds start over from fresh random orders while that still helps. The
work is bounded by `budget` evaluations, not by time, so the result depends
only on the input and the seed; docs/performance.md has the times (5,000
people: about 0.1 s).

Pure: no I/O, no clock. The same people, `met` and seed give the same groups,
whatever the order of `people`. Languages and interests are compared as given;
`Participant.of` casefolds them from a profile. Someone who gave no languages
fits any group's language.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Collection, Iterable, Mapping, Sequence

from rooms.errors import BadRequest
from rooms.grouping_search import EXACT_UP_TO, Search
from rooms.profile import Profile

PersonId = str

MIN_GROUP_SIZE = 2
MAX_GROUP_SIZE = 8
#: Swaps the local search may evaluate in one call (about 0.1 s of CPython at most).
DEFAULT_BUDGET = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class Participant:
    """One person to seat, with what grouping looks at (from the public profile)."""

    id: PersonId
    languages: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()

    @classmethod
    def of(cls, person_id: PersonId, profile: Profile) -> Participant:
        def norm(values: Iterable[str]) -> frozenset[str]:
            return frozenset(v.strip().casefold() for v in values if v.strip())

        return cls(person_id, norm(profile.languages), norm(profile.interests))


@dataclasses.dataclass(frozen=True, slots=True)
class Score:
    """How good a grouping is; `key` orders them (lower is better)."""

    #: groups whose members share no language
    without_language: int
    #: pairs seated together who had already met
    repeated_pairs: int
    #: over every pair seated together, the interests they share
    shared_interests: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.without_language, self.repeated_pairs, -self.shared_interests)


def group_sizes(n: int, size: int) -> list[int]:
    """The sizes of the groups for `n` people and a wanted `size`, larger first.

    Raises BadRequest when `size` is not 2..8 or there are fewer than two people.
    """
    if isinstance(size, bool) or not isinstance(size, int) or not (
            MIN_GROUP_SIZE <= size <= MAX_GROUP_SIZE):
        raise BadRequest(f"group size must be {MIN_GROUP_SIZE} to {MAX_GROUP_SIZE}",
                         field="group_size")
    if n < MIN_GROUP_SIZE:
        raise BadRequest("a round needs at least two people")
    k = min(math.ceil(n / size), n // MIN_GROUP_SIZE)
    base, larger = divmod(n, k)
    return [base + 1] * larger + [base] * (k - larger)


def check_series(present: int, size: int) -> None:
    """Refuse a series that cannot seat one full group of `size` from the people present.

    Raises BadRequest (group size outside 2..8, or larger than the people present).
    """
    group_sizes(max(present, MIN_GROUP_SIZE), size)
    if size > present:
        raise BadRequest(f"a group of {size} needs at least {size} people present; "
                         f"{present} are", field="group_size")


MetPairs = Mapping[PersonId, Collection[PersonId]] | Iterable[tuple[PersonId, PersonId]]


def group(
    people: Sequence[Participant],
    size: int,
    met: MetPairs = (),
    seed: int = 0,
    *,
    budget: int = DEFAULT_BUDGET,
) -> list[list[PersonId]]:
    """Seat everyone in `people` exactly once in groups of `group_sizes(len(people), size)`.

    `met` is who has already met: either unordered pairs of ids, or (cheaper for
    many pairs) each person's collection of people met, both ways (b among a's
    when a is among b's), as `MetTracker.met_with` holds it. Ids in `met` of
    people not present are ignored. Groups come out larger first, each group's
    ids sorted.

    Raises BadRequest (see `group_sizes`); ValueError when an id appears twice.
    """
    sizes = group_sizes(len(people), size)
    ordered = sorted(people, key=lambda p: p.id)
    for a, b in itertools.pairwise(ordered):
        if a.id == b.id:
            raise ValueError(f"{a.id!r} is listed twice")
    search = _search(ordered, met, seed)
    if len(ordered) <= EXACT_UP_TO:
        search.solve_exactly(sizes)
    else:
        search.solve(sizes, budget)
    return search.result()


def score(groups: Sequence[Sequence[PersonId]], people: Sequence[Participant],
          met: MetPairs = ()) -> Score:
    """The `Score` of a grouping of `people` (each id in `groups` must be among them)."""
    ordered = sorted(people, key=lambda p: p.id)
    search = _search(ordered, met, 0)
    index = {p.id: i for i, p in enumerate(ordered)}
    search.groups = [[index[pid] for pid in g] for g in groups]
    without_language, repeated, _, interests = search.totals()
    return Score(without_language, repeated, interests)


def _search(people: Sequence[Participant], met: MetPairs, seed: int) -> Search:
    return Search([p.id for p in people], [p.languages for p in people],
                  [p.interests for p in people], _met_index(people, met), random.Random(seed))


def _met_index(people: Sequence[Participant], met: MetPairs) -> list[frozenset[int]]:
    """For each person (by index), the indices of the people present they have met."""
    index = {p.id: i for i, p in enumerate(people)}
    if isinstance(met, Mapping):  # both ways already, as MetTracker.met_with is
        nobody: Collection[PersonId] = ()
        return [frozenset(index[o] for o in met.get(p.id, nobody) if o in index and o != p.id)
                for p in people]
    found: list[set[int]] = [set() for _ in people]
    for a, b in met:
        x, y = index.get(a), index.get(b)
        if x is not None and y is not None and x != y:
            found[x].add(y)
            found[y].add(x)
    return [frozenset(s) for s in found]
