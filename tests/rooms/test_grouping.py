"""Grouping people for a networking round: properties checked on random cases
(random seeds in a loop), against a brute force where the cases are small."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest

from rooms.errors import BadRequest
from rooms.grouping import (
    Participant,
    check_series,
    group,
    group_sizes,
    score,
)
from rooms.profile import Profile
from tests.rooms.grouping_cases import (
    LANGUAGES,
    THEMES,
    cost,
    pairs_of,
    partitions,
    random_met,
    random_people,
)


def test_group_sizes_differ_by_at_most_one_and_nobody_sits_alone() -> None:
    """ceil(n / size) groups, sizes within one, none above `size` but a pair's odd third."""
    assert group_sizes(90, 4) == [4] * 21 + [3] * 2
    assert group_sizes(9, 8) == [5, 4]
    assert group_sizes(8, 8) == [8]
    assert group_sizes(3, 2) == [3]
    assert group_sizes(7, 2) == [3, 2, 2]
    assert group_sizes(2, 5) == [2]
    for n in range(2, 200):
        for size in range(2, 9):
            sizes = group_sizes(n, size)
            assert sum(sizes) == n
            assert max(sizes) - min(sizes) <= 1
            assert min(sizes) >= 2
            assert max(sizes) <= size or (size == 2 and sizes.count(3) == 1)


@pytest.mark.parametrize("size", [1, 9, 0, -3, True, 2.5])
def test_impossible_group_size_is_bad_request(size: object) -> None:
    """A group size outside 2..8 is refused with bad_request, naming the field."""
    people = random_people(random.Random(1), 10)
    with pytest.raises(BadRequest) as caught:
        group(people, size, seed=1)  # type: ignore[arg-type]
    assert caught.value.code == "bad_request"
    assert caught.value.field == "group_size"


def test_fewer_than_two_people_is_bad_request() -> None:
    """Nobody or one person cannot make a round."""
    for people in ([], [Participant("p1")]):
        with pytest.raises(BadRequest):
            group(people, 2)


def test_a_person_listed_twice_is_a_bug() -> None:
    with pytest.raises(ValueError, match="twice"):
        group([Participant("a"), Participant("b"), Participant("a")], 2)


def test_series_needs_as_many_people_present_as_a_group_has() -> None:
    """A series whose group size is larger than the people present is refused."""
    check_series(4, 4)
    with pytest.raises(BadRequest, match="at least 5"):
        check_series(4, 5)
    with pytest.raises(BadRequest):
        check_series(40, 9)
    with pytest.raises(BadRequest):
        check_series(0, 2)


def test_everyone_is_seated_once_in_groups_of_the_planned_sizes() -> None:
    """On random rounds of 2..400 people, each person is in exactly one group."""
    for case in range(60):
        rng = random.Random(case)
        n = rng.choice((rng.randint(2, 12), rng.randint(13, 80), rng.randint(81, 400)))
        size = rng.randint(2, 8)
        people = random_people(rng, n)
        groups = group(people, size, random_met(rng, people, 0.05), seed=case)
        seated = Counter(pid for g in groups for pid in g)
        assert seated == Counter(p.id for p in people), case
        assert sorted(map(len, groups), reverse=True) == group_sizes(n, size), case


def test_small_rounds_are_as_good_as_the_best_grouping() -> None:
    """Up to nine people: no group without a shared language when some grouping has
    none, and no more repeated pairs than the best grouping (zero where it has zero)."""
    for case in range(300):
        rng = random.Random(case)
        n, size = rng.randint(2, 9), rng.randint(2, 8)
        people = random_people(rng, n, LANGUAGES[:rng.randint(2, 5)])
        met = random_met(rng, people, rng.choice((0.0, 0.2, 0.5)))
        got = cost(group(people, size, met, seed=case), people, met)
        best = min(cost(p, people, met)
                   for p in partitions([p.id for p in people], group_sizes(n, size)))
        assert got[:2] == best[:2], (case, got, best)


def test_a_grouping_with_a_shared_language_everywhere_is_found() -> None:
    """10..60 people built so that a grouping exists where every group shares a
    language (mostly one language each, some people without any): it is found."""
    for case in range(60):
        rng = random.Random(case)
        n, size = rng.randint(10, 60), rng.randint(2, 8)
        spoken = LANGUAGES[:rng.randint(2, 5)]
        languages: list[frozenset[str]] = []
        for members in group_sizes(n, size):
            common = rng.choice(spoken)
            for _ in range(members):
                extra = rng.sample(spoken, rng.choice((0, 0, 1)))
                languages.append(frozenset() if rng.random() < 0.05
                                 else frozenset({common, *extra}))
        rng.shuffle(languages)
        people = [Participant(f"p{i}", langs, frozenset(rng.sample(THEMES, rng.randint(0, 3))))
                  for i, langs in enumerate(languages)]
        met = random_met(rng, people, rng.choice((0.0, 0.1, 0.3)))
        got = score(group(people, size, met, seed=case), people, met)
        assert got.without_language == 0, (case, got)


def test_repeated_pairs_no_more_than_a_random_grouping() -> None:
    """Over five rounds, where a language is shared by all, the grouping repeats no
    more pairs than random groupings of the same sizes (on average) and, in rounds
    where few enough have met, none at all."""
    for case, (n, size) in enumerate([(12, 3), (30, 4), (90, 4), (90, 6), (250, 5)]):
        rng = random.Random(case)
        people = [Participant(p.id, p.languages | {"fi"}, p.interests)
                  for p in random_people(rng, n)]
        ids = [p.id for p in people]
        met: set[tuple[str, str]] = set()
        all_pairs = n * (n - 1) // 2
        for round_no in range(5):
            groups = group(people, size, met, seed=round_no)
            repeated = score(groups, people, met).repeated_pairs
            random_repeats = []
            for _ in range(20):
                rng.shuffle(ids)
                at, shuffled = 0, []
                for members in group_sizes(n, size):
                    shuffled.append(ids[at:at + members])
                    at += members
                random_repeats.append(score(shuffled, people, met).repeated_pairs)
            assert repeated <= statistics.mean(random_repeats), (n, size, round_no)
            if len(met) * 6 < all_pairs:
                assert repeated == 0, (n, size, round_no, repeated)
            met |= pairs_of(groups)


def test_the_same_seed_gives_the_same_groups_whatever_the_order() -> None:
    """Deterministic given the seed, and the order people are listed in does not
    matter; another seed gives another grouping."""
    rng = random.Random(7)
    people = random_people(rng, 60)
    met = random_met(rng, people, 0.05)
    first = group(people, 4, met, seed=3)
    assert group(list(reversed(people)), 4, sorted(met), seed=3) == first
    assert group(people, 4, met, seed=3) == first
    assert len({str(group(people, 4, met, seed=s)) for s in range(5)}) > 1


def test_met_may_be_given_as_each_persons_people_met() -> None:
    """`met` as {person: people met} (both ways) scores and groups like the pairs."""
    rng = random.Random(11)
    people = random_people(rng, 40)
    pairs = random_met(rng, people, 0.1)
    by_person: dict[str, set[str]] = {}
    for a, b in pairs:
        by_person.setdefault(a, set()).add(b)
        by_person.setdefault(b, set()).add(a)
    assert group(people, 3, by_person, seed=2) == group(people, 3, pairs, seed=2)
    groups = group(people, 3, seed=2)
    assert score(groups, people, by_person) == score(groups, people, pairs)


def test_people_without_languages_fit_any_group() -> None:
    """Someone who gave no languages does not make a group lack a shared language."""
    people = [Participant("a", frozenset({"ar"})), Participant("b", frozenset({"ar"})),
              Participant("c"), Participant("d", frozenset({"fi"})),
              Participant("e", frozenset({"fi"})), Participant("f")]
    groups = group(people, 3, seed=1)
    assert score(groups, people).without_language == 0
    assert sorted(map(len, groups)) == [3, 3]


def test_shared_interests_are_preferred() -> None:
    """Same language, nobody met: people sit with those who share their interest."""
    people = [Participant(f"{theme}{i}", frozenset({"fi"}), frozenset({theme}))
              for theme in ("housing", "health", "culture") for i in range(4)]
    for seed in range(5):
        groups = group(people, 4, seed=seed)
        assert all(len({pid.rstrip("0123456789") for pid in g}) == 1 for g in groups)


def test_participant_from_a_profile_casefolds() -> None:
    profile = Profile(name="Aino", languages=("Suomi", " English "),
                      interests=("Youth work", ""))
    p = Participant.of("p1", profile)
    assert p == Participant("p1", frozenset({"suomi", "english"}), frozenset({"youth work"}))
