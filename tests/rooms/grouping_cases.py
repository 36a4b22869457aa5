"""Builders for the grouping tests: random people, a brute force over every
grouping of a few people, and the cost of a grouping computed the plain way."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

from rooms.grouping import Participant

LANGUAGES = ("fi", "sv", "en", "ar", "so")
THEMES = ("housing", "youth work", "employment", "health", "culture", "sports")

Pair = tuple[str, str]


def random_people(rng: random.Random, n: int, languages: Sequence[str] = LANGUAGES,
                  ) -> list[Participant]:
    """n people, each with 0-2 of `languages` (sometimes none) and 0-3 themes."""
    people = []
    for i in range(n):
        spoken = rng.sample(languages, rng.choice((0, 1, 1, 1, 2, 2)))
        people.append(Participant(f"p{i}", frozenset(spoken),
                                  frozenset(rng.sample(THEMES, rng.randint(0, 3)))))
    return people


def random_met(rng: random.Random, people: Sequence[Participant], share: float) -> set[Pair]:
    """Each pair of `people` has met with probability `share`."""
    return {(a.id, b.id) for a, b in itertools.combinations(people, 2) if rng.random() < share}


def partitions(items: list[str], sizes: list[int]) -> Iterator[list[list[str]]]:
    """Every way to split `items` into unlabelled groups of the given sizes, once each."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for size in sorted(set(sizes)):
        left = list(sizes)
        left.remove(size)
        for mates in itertools.combinations(rest, size - 1):
            others = [p for p in rest if p not in mates]
            for tail in partitions(others, left):
                yield [[first, *mates], *tail]


def cost(groups: Sequence[Sequence[str]], people: Sequence[Participant],
         met: set[Pair]) -> tuple[int, int, int]:
    """(groups without a shared language, repeated pairs, -shared interests), plainly:
    a person without languages fits any group."""
    by_id = {p.id: p for p in people}
    met_both = met | {(b, a) for a, b in met}
    without = repeated = interests = 0
    for g in groups:
        spoken = [by_id[pid].languages for pid in g if by_id[pid].languages]
        if spoken and not frozenset.intersection(*spoken):
            without += 1
        for a, b in itertools.combinations(g, 2):
            repeated += (a, b) in met_both
            interests += len(by_id[a].interests & by_id[b].interests)
    return without, repeated, -interests


def pairs_of(groups: Sequence[Sequence[str]]) -> set[Pair]:
    return {(a, b) if a < b else (b, a) for g in groups for a, b in itertools.combinations(g, 2)}
