"""The search behind `rooms.grouping.group`: a greedy seating, then local search
(or, for a few people, every grouping tried), on a `rooms.grouping_cost.Grouping`.

Every random choice comes from the `rng` given, and the work is bounded by a
budget of evaluations, so a seed decides the result.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

from rooms.grouping_cost import Grouping

#: Rounds of at most this many people are solved exactly (at most 1,260 groupings).
EXACT_UP_TO = 9
#: Open groups a person is weighed against in the greedy pass.
_CHOICES = 4
#: Candidates tried for each offending member while repairing a group.
_CANDIDATES = 24
#: Groups tried at each step of a chain of moves.
_CHAIN_GROUPS = 6
#: A change of (groups without a language, repeated pairs, strays, -shared interests).
_NO_CHANGE = (0, 0, 0, 0)
#: Fresh starts in a row that found nothing better before the search gives up.
_RESTARTS = 20


class Search(Grouping):
    """A grouping being built (greedily, or by trying every one) and improved."""

    def __init__(self, ids: Sequence[str], languages: Sequence[frozenset[str]],
                 interests: Sequence[frozenset[str]], met: list[frozenset[int]],
                 rng: random.Random) -> None:
        super().__init__(ids, languages, interests, met)
        self.rng = rng
        #: while seating greedily, the languages each group shares
        self.shared: list[int] = []
        #: see `_better`
        self.guided = False

    # --- the greedy pass -------------------------------------------------------------

    def seat_greedily(self, sizes: list[int], shuffled: bool = False) -> None:
        """Seat everyone, hardest first (`shuffled`: in a random order, for a fresh
        start), each in a group that shares a language with them and where they
        have met nobody, filling groups to the smaller size first; a new group
        when none fits; an extra seat in a group at the smaller size when every
        group has been started."""
        n, k = len(self.ids), len(sizes)
        base = min(sizes)
        # (people without languages fit anywhere: they are nobody's speakers here)
        speakers = {b: sum(1 for m in self.lang if m & b and m != -1)
                    for b in self.bits.values()}
        # how many share a language with i, at most: the rarest speakers come first
        supply = [n if m == -1 else sum(c for b, c in speakers.items() if m & b)
                  for m in self.lang]
        # among equals, people who share an interest (one of theirs drawn at random)
        # come one after the other, so they tend to land in the same group
        topics = sorted(self.topic_bits.values())
        drawn = [self.rng.choice([b for b in topics if t & b]) if t else 0 for t in self.topic]
        chance = [self.rng.random() for _ in range(n)]
        order = sorted(range(n), key=lambda i: (supply[i], drawn[i], chance[i]))
        if shuffled:
            self.rng.shuffle(order)
        self.groups = [[] for _ in sizes]
        self.where = [-1] * n
        self.shared = [-1] * k
        extra = n - k * base  # seats left above the smaller size
        opened = 0
        filling: list[int] = []  # below the smaller size, oldest first
        full: list[int] = []  # at the smaller size: may take one more while `extra`
        unseated = dict(speakers)  # language -> speakers not seated yet
        spoken = [[b for b in speakers if m & b] if m != -1 else [] for m in self.lang]
        for a in order:
            best, met = self._choose(a, filling, unseated, base)
            # a group of one's own meets nobody; but one of the few speakers of a
            # rare language had better join the others, met or not
            if best == -1 or (met and max(
                    (unseated[b] for b in spoken[a]), default=n) > base):
                if opened < k:
                    best, met = opened, 0
                    opened += 1
                    filling.append(best)
                elif extra:
                    more, more_met = self._choose(a, full, unseated, base + 1)
                    if more != -1 and (best == -1 or more_met < met):
                        best = more
            if best == -1:  # nothing fits: the local search will try to repair
                best = min(filling + (full if extra else []),
                           key=lambda g: (self._fit(a, a, self.groups[g], -1)[1], g))
            self._seat(a, best)
            for b in spoken[a]:
                unseated[b] -= 1
            if len(self.groups[best]) > base:
                full.remove(best)
                extra -= 1
            elif len(self.groups[best]) == base:
                filling.remove(best)
                full.append(best)

    def _choose(self, a: int, groups: list[int], unseated: dict[int, int], base: int,
                ) -> tuple[int, int]:
        """Among the first few of `groups` that share a language with a: one that
        needs a to fill up with speakers of its language, else the one where a has
        met the fewest, then shares the most interests. Returns it (-1: none) and
        how many a has met there, 0 when it needs a."""
        la = self.lang[a]
        best, best_key = -1, (0, 0, 0)
        found = []
        for g in groups:
            if self.shared[g] & la:
                found.append(g)
                if len(found) == _CHOICES:
                    break
        for g in found:
            shared = self.shared[g]
            others = max((c for b, c in unseated.items() if shared & b), default=base) - 1
            needy = others < base - len(self.groups[g])
            _, met, _, interests, _ = self._fit(a, a, self.groups[g], -1)
            key = (not needy, met, -interests)
            if best == -1 or key < best_key:
                best, best_key = g, key
        return best, best_key[1] if best_key[0] else 0

    def _seat(self, a: int, g: int) -> None:
        self.groups[g].append(a)
        self.where[a] = g
        self.shared[g] &= self.lang[a]

    # --- the local search ------------------------------------------------------------

    def solve(self, sizes: list[int], budget: int) -> None:
        """Seat greedily, then improve; while the budget lasts (in small rounds) start
        over from another random order, keeping the best grouping found."""
        n = len(self.ids)
        exhaustive = n * n <= 2 * budget
        best: tuple[tuple[int, int, int, int], list[list[int]]] | None = None
        spent = stale = 0
        while True:
            self.seat_greedily(sizes, shuffled=best is not None)
            self.improve(budget - spent, exhaustive)
            spent += max(self.spent, 1)
            key = self._key(range(len(self.groups)))
            stale += 1
            if best is None or key < best[0]:
                best, stale = (key, [list(g) for g in self.groups]), 0
            if (spent >= budget or len(sizes) < 2 or key[:2] == (0, 0)
                    or stale == _RESTARTS):
                break
        self.groups = best[1]
        for g, members in enumerate(self.groups):
            for m in members:
                self.where[m] = g

    def solve_exactly(self, sizes: list[int]) -> None:
        """Score every grouping and keep the best (the first found of equals): for
        the few people `EXACT_UP_TO` allows, where local search can miss."""
        best: tuple[tuple[int, int, int, int], list[list[int]]] | None = None

        def walk(rest: list[int], sizes: list[int], groups: list[list[int]]) -> None:
            nonlocal best
            if not rest:
                self.groups = groups
                key = self._key(range(len(groups)))
                if best is None or key < best[0]:
                    best = (key, [list(g) for g in groups])
                return
            first, others = rest[0], rest[1:]
            for size in sorted(set(sizes)):
                left = list(sizes)
                left.remove(size)
                for mates in itertools.combinations(others, size - 1):
                    taken = set(mates)
                    walk([p for p in others if p not in taken], left,
                         [*groups, [first, *mates]])

        walk(list(range(len(self.ids))), sizes, [])
        assert best is not None
        self.groups = best[1]
        self.where = [0] * len(self.ids)
        for g, members in enumerate(self.groups):
            for m in members:
                self.where[m] = g

    def improve(self, budget: int, exhaustive: bool) -> None:
        """Repair the bad groups, then try every pair (`exhaustive`) or random pairs
        who share an interest, until nothing improves or `budget` evaluations."""
        self.spent = 0
        if len(self.groups) < 2:
            return
        speaking: dict[int, list[int]] = {b: [] for b in self.bits.values()}
        for i, m in enumerate(self.lang):
            for b in speaking:
                if m & b:
                    speaking[b].append(i)
        self.guided = True
        while self.spent < budget and self.repair(speaking, budget):
            pass
        self.guided = False
        if exhaustive:
            while self.spent < budget and self.sweep(budget):
                pass
        else:  # shared interests come last: half the budget at most
            self.wander(speaking, min(budget, self.spent + budget // 2))

    def _better(self, change: tuple[int, int, int, int]) -> bool:
        """Whether a change of (no language, repeated, strays, -interests) lowers the
        cost; while `guided`, strays come before repeated pairs: repairing a group
        without a language may take a few steps that each only lower its strays."""
        if self.guided:
            change = (change[0], change[2], change[1], change[3])
        return change < _NO_CHANGE

    def try_swap(self, a: int, b: int) -> bool:
        if self.where[a] == self.where[b]:
            return False
        if self._better(self.swap_delta(a, b)):
            self.swap(a, b)
            return True
        g, h = self.where[a], self.where[b]
        size_g, size_h = len(self.groups[g]), len(self.groups[h])
        if size_g == size_h + 1 and self._better(self.move_delta(a, h)):
            self.move(a, h)
            return True
        if size_h == size_g + 1 and self._better(self.move_delta(b, g)):
            self.move(b, g)
            return True
        return False

    def repair(self, speaking: dict[int, list[int]], budget: int) -> bool:
        """One pass over the groups without a shared language or with a repeated
        pair, trying to swap their odd ones out; True if anything improved."""
        improved = False
        for g in range(len(self.groups)):
            members = self.groups[g]
            no_language, repeated, _, _ = self.group_score(members)
            if not (no_language or repeated):
                continue
            # the language most of the group speaks (ties: the lowest bit)
            common = max(speaking, key=lambda b: (sum(1 for m in members if self.lang[m] & b),
                                                  -b), default=0)
            for a in list(members):
                if self.spent >= budget:
                    return improved
                if self.where[a] != g:
                    continue
                odd = not (self.lang[a] & common)
                if not odd and not any(m in self.met[a] for m in members if m != a):
                    continue
                # someone who speaks the group's language takes a's seat, or a goes
                # (alone, or trading places) to a group that speaks a's
                pools = [speaking[b] for b in speaking if b == common or self.lang[a] & b]
                # chains are dearer: only for a group without a shared language
                if (self._try_pools(a, pools or [range(len(self.ids))])
                        or (odd and self._try_chain(a, speaking, budget))):
                    improved = True
        return improved

    def _try_pools(self, a: int, pools: Sequence[Sequence[int]]) -> bool:
        for pool in pools:
            start = self.rng.randrange(len(pool))
            for step in range(min(_CANDIDATES, len(pool))):
                if self.try_swap(a, pool[(start + step) % len(pool)]):
                    return True
        return False

    def _try_chain(self, a: int, speaking: dict[int, list[int]], budget: int) -> bool:
        """Two or three people move at once, for the knots one swap cannot undo.

        From a larger group: a goes to another larger group X, and someone x of X
        who suits a smaller group Y goes there. Otherwise a goes to a group X that
        speaks a language of a's, someone x of X to a group Y that speaks one of
        x's, and someone of Y to a's seat.
        """
        g = self.where[a]
        groups = self.groups
        smaller = len(groups[g]) - 1
        if any(len(m) == smaller for m in groups):
            wanting = [h for h in range(len(groups)) if len(groups[h]) == smaller]
            for y_group in self.rng.sample(wanting, min(_CHAIN_GROUPS, len(wanting))):
                shared = -1
                for m in groups[y_group]:
                    shared &= self.lang[m]
                for pool in self._speakers(shared, speaking):
                    start = self.rng.randrange(len(pool))
                    for step in range(min(_CANDIDATES, len(pool))):
                        if self.spent >= budget:
                            return False
                        x = pool[(start + step) % len(pool)]
                        x_group = self.where[x]
                        if (x_group not in (g, y_group) and len(groups[x_group]) == smaller + 1
                                and self._try_moves([(a, x_group), (x, y_group)])):
                            return True
        for x_group in self._groups_near(a, speaking):
            if x_group == g:
                continue
            for x in list(groups[x_group]):
                for y_group in self._groups_near(x, speaking):
                    if y_group in (g, x_group):
                        continue
                    for y in list(groups[y_group]):
                        if self.spent >= budget:
                            return False
                        if self._try_moves([(a, x_group), (x, y_group), (y, g)]):
                            return True
        return False

    def _speakers(self, mask: int, speaking: dict[int, list[int]]) -> list[Sequence[int]]:
        """Who speaks each language in `mask`, a list per language; everyone if none."""
        pools: list[Sequence[int]] = [speaking[b] for b in speaking if mask & b]
        return pools or [range(len(self.ids))]

    def _groups_near(self, a: int, speaking: dict[int, list[int]]) -> list[int]:
        """Up to a few groups, at random, where someone shares a language with a."""
        found: list[int] = []
        for pool in self._speakers(self.lang[a], speaking):
            start = self.rng.randrange(len(pool))
            for step in range(min(_CANDIDATES, len(pool))):
                g = self.where[pool[(start + step) % len(pool)]]
                if g not in found:
                    found.append(g)
                    if len(found) == _CHAIN_GROUPS:
                        return found
        return found

    def _try_moves(self, moves: list[tuple[int, int]]) -> bool:
        """Make the moves (person, to group) if together they lower the cost."""
        self.spent += 1
        touched = {self.where[p] for p, _ in moves} | {h for _, h in moves}
        before = self._key(touched)
        back = [(p, self.where[p]) for p, _ in moves]
        for p, h in moves:
            self.move(p, h)
        after = self._key(touched)
        if self._better((after[0] - before[0], after[1] - before[1], after[2] - before[2],
                         after[3] - before[3])):
            return True
        for p, h in reversed(back):
            self.move(p, h)
        return False

    def sweep(self, budget: int) -> bool:
        """Every pair once (small rounds); True if anything improved."""
        improved = False
        n = len(self.ids)
        for a in range(n):
            for b in range(a + 1, n):
                if self.spent >= budget:
                    return improved
                improved |= self.try_swap(a, b)
        return improved

    def wander(self, speaking: dict[int, list[int]], budget: int) -> None:
        """Until the budget is spent, try swapping someone with a random person who
        shares one of their interests (or, without interests, a language)."""
        n = len(self.ids)
        rng = self.rng
        liking: dict[int, list[int]] = {b: [] for b in self.topic_bits.values()}
        for i, t in enumerate(self.topic):
            for b in liking:
                if t & b:
                    liking[b].append(i)
        pools: list[list[Sequence[int]]] = []
        for i, t in enumerate(self.topic):
            mine: list[Sequence[int]] = [liking[b] for b in liking if t & b]
            pools.append(mine or self._speakers(self.lang[i], speaking))
        while self.spent < budget:
            a = rng.randrange(n)
            pool = rng.choice(pools[a])
            self.try_swap(a, pool[rng.randrange(len(pool))])
