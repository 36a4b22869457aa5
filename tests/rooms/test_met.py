"""The people-met tracker: close at one table for long enough, or one round group."""

from __future__ import annotations

import itertools
import random

import pytest

from rooms.grouping import Participant, group, score
from rooms.met import CONVERSATION_DISTANCE, MET_AFTER_MS, Met, MetTracker, Via, pair

T0 = 1_800_000_000_000
SECOND = 1000


def test_close_for_two_minutes_at_one_table_is_met() -> None:
    """Within conversation distance for met_after (default 2 min) of a fake clock: met,
    once, reported at the observation that crossed the threshold."""
    tracker = MetTracker()
    assert tracker.met_after_ms == MET_AFTER_MS == 120 * SECOND
    table = {"t1": {"b": (100, 100), "a": (100 + CONVERSATION_DISTANCE, 100)}}
    for t in range(0, 120, 10):
        assert tracker.observe(table, T0 + t * SECOND) == []
    assert tracker.observe(table, T0 + 120 * SECOND) == [
        Met("a", "b", "t1", T0 + 120 * SECOND, Via.TABLE)]
    assert tracker.has_met("a", "b") and tracker.has_met("b", "a")
    assert tracker.observe(table, T0 + 200 * SECOND) == []
    assert list(tracker.pairs()) == [("a", "b")]
    assert tracker.count("a") == tracker.count("b") == 1


def test_stepping_away_starts_the_time_again() -> None:
    """Close, then out of reach for one observation, then close again: the two
    minutes count from the second time."""
    tracker = MetTracker(met_after_ms=60 * SECOND)
    near = {"t1": {"a": (0, 0), "b": (100, 0)}}
    far = {"t1": {"a": (0, 0), "b": (CONVERSATION_DISTANCE + 1, 0)}}
    assert tracker.observe(near, T0) == []
    assert tracker.observe(far, T0 + 50 * SECOND) == []
    assert tracker.observe(near, T0 + 70 * SECOND) == []
    assert tracker.observe(near, T0 + 129 * SECOND) == []
    assert [m.via for m in tracker.observe(near, T0 + 130 * SECOND)] == [Via.TABLE]


def test_the_same_spot_at_different_tables_is_not_close() -> None:
    """Positions are per table: two people at the same point of two tables never meet;
    moving to another table breaks the time."""
    tracker = MetTracker(met_after_ms=10 * SECOND)
    apart = {"t1": {"a": (5, 5)}, "t2": {"b": (5, 5)}}
    for t in range(0, 60, 5):
        assert tracker.observe(apart, T0 + t * SECOND) == []
    tracker.observe({"t1": {"a": (5, 5), "b": (6, 6)}}, T0 + 60 * SECOND)
    tracker.observe({"t1": {"a": (5, 5)}, "t2": {"b": (5, 5)}}, T0 + 65 * SECOND)
    assert tracker.observe({"t2": {"a": (5, 5), "b": (6, 6)}}, T0 + 70 * SECOND) == []
    assert tracker.observe({"t2": {"a": (5, 5), "b": (6, 6)}}, T0 + 80 * SECOND) != []


def test_tables_not_observed_keep_their_time() -> None:
    """The server may observe a few tables at a time: a table left out keeps counting."""
    tracker = MetTracker(met_after_ms=30 * SECOND)
    t1 = {"a": (0, 0), "b": (10, 10)}
    t2 = {"c": (0, 0), "d": (10, 10)}
    tracker.observe({"t1": t1, "t2": t2}, T0)
    tracker.observe({"t2": t2}, T0 + 15 * SECOND)
    met = tracker.observe({"t1": t1}, T0 + 30 * SECOND)
    assert [(m.a, m.b, m.room) for m in met] == [("a", "b", "t1")]


def test_round_groups_meet_at_once_and_pairs_meet_once() -> None:
    """Everyone in one round group has met; pairs who had met are not reported again."""
    tracker = MetTracker(known=[("c", "a")])
    met = tracker.grouped(["a", "b", "c"], "r1", T0)
    assert [(m.a, m.b, m.via, m.at) for m in met] == [
        ("a", "b", Via.ROUND, T0), ("b", "c", Via.ROUND, T0)]
    assert tracker.has_met("a", "c")
    assert tracker.grouped(["b", "a"], "r2", T0 + 1) == []
    assert tracker.observe({"t": {"a": (0, 0), "b": (1, 1)}}, T0 + 10**9) == []


def test_matches_a_plain_all_pairs_check() -> None:
    """On random tables (some crowded at one spot), the spatial hash finds exactly
    the pairs a check of every pair finds, at the threshold given."""
    rng = random.Random(5)
    for case in range(30):
        tracker = MetTracker(met_after_ms=0, distance=rng.choice((40, 150, 333)))
        tables: dict[str, dict[str, tuple[int, int]]] = {}
        for i in range(rng.randint(2, 120)):
            spot = rng.choice(((500, 500), None))
            x, y = spot or (rng.randint(0, 999), rng.randint(0, 999))
            if spot:
                x, y = x + rng.randint(-50, 50), y + rng.randint(-50, 50)
            tables.setdefault(f"t{rng.randint(1, 3)}", {})[f"p{i}"] = (x, y)
        found = {(m.a, m.b, m.room) for m in tracker.observe(tables, T0)}
        expected = set()
        for room, occupants in tables.items():
            for (a, (ax, ay)), (b, (bx, by)) in itertools.combinations(occupants.items(), 2):
                if (ax - bx) ** 2 + (ay - by) ** 2 <= tracker.distance ** 2:
                    expected.add((*pair(a, b), room))
        assert found == expected, case


def test_forgetting_a_person_and_a_room() -> None:
    """An erased person leaves nothing behind; a removed table's closeness is dropped."""
    tracker = MetTracker(met_after_ms=10 * SECOND)
    tracker.grouped(["a", "b", "c"], "r1", T0)
    tracker.observe({"t": {"a": (0, 0), "d": (1, 1)}, "u": {"e": (0, 0), "f": (0, 0)}}, T0)
    tracker.forget("a")
    assert tracker.met_with == {"b": {"c"}, "c": {"b"}}
    assert tracker.observe({"t": {"a": (0, 0), "d": (1, 1)}}, T0 + 10 * SECOND) == []
    tracker.forget_room("u")
    assert tracker.observe({"u": {"e": (0, 0), "f": (0, 0)}}, T0 + 20 * SECOND) == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        MetTracker(distance=0)
    with pytest.raises(ValueError):
        MetTracker(met_after_ms=-1)


def test_grouping_avoids_who_the_tracker_says_met() -> None:
    """The tracker's met_with goes to grouping as is: round after round, 12 people in
    groups of 3 meet nobody twice."""
    tracker = MetTracker()
    people = [Participant(f"p{i:02}", frozenset({"fi"})) for i in range(12)]
    for round_no in range(3):
        groups = group(people, 3, tracker.met_with, seed=round_no)
        assert score(groups, people, tracker.met_with).repeated_pairs == 0
        for g in groups:
            assert len(tracker.grouped(g, f"r{round_no}", T0 + round_no)) == 3
