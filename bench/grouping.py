"""Networking rounds, measured in-process: grouping and the people-met tracker (issue 13).

For each crowd size, runs a series of rounds with `rooms.grouping.group` and,
beside it, a random grouping of the same sizes, each with its own history of
who met whom; prints the time per call and, per round, the pairs new to each
other, the repeated pairs, the groups without a shared language and the
shared interests. Then times `MetTracker.observe` over every table at once,
with 5,000 people at 14 tables and at 417 tables of 12.

    .venv/bin/python -m bench.grouping
    .venv/bin/python -m bench.grouping --people 90 1000 5000 --rounds 5 --size 4

The people are made up: languages with the skew of a Finnish fair (most speak
Finnish, many English, some Swedish; Arabic, Somali, Russian, Persian and
Estonian speakers, some of them with no Finnish), 0-4 interests from 20 themes
(a few popular ones), and 3 % who gave no languages. One core, no server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

from rooms.grouping import Participant, group, group_sizes, score
from rooms.met import MetTracker

#: (language, share of people who speak it)
LANGUAGES = (("fi", 0.80), ("en", 0.55), ("sv", 0.10), ("ar", 0.06), ("ru", 0.05),
             ("so", 0.04), ("et", 0.04), ("fa", 0.03))
#: someone who speaks none of the above speaks one of these only
HOME_LANGUAGES = ("ar", "so", "ru", "fa", "et")
THEMES = ("employment", "entrepreneurship", "youth work", "housing", "health",
          "mental health", "culture", "sports", "education", "language learning",
          "integration", "elderly care", "children and families", "environment",
          "digital skills", "volunteering", "disability", "substance abuse",
          "debt advice", "legal aid")


def make_people(rng: random.Random, n: int) -> list[Participant]:
    weights = [1 / (i + 1) for i in range(len(THEMES))]
    people = []
    for i in range(n):
        spoken = {lang for lang, share in LANGUAGES if rng.random() < share}
        if not spoken:
            spoken = {rng.choice(HOME_LANGUAGES)}
        if rng.random() < 0.03:
            spoken = set()
        interests = set(rng.choices(THEMES, weights, k=rng.randint(0, 4)))
        people.append(Participant(f"p{i:05}", frozenset(spoken), frozenset(interests)))
    return people


def random_grouping(rng: random.Random, ids: list[str], size: int) -> list[list[str]]:
    shuffled = ids[:]
    rng.shuffle(shuffled)
    groups, at = [], 0
    for members in group_sizes(len(ids), size):
        groups.append(shuffled[at:at + members])
        at += members
    return groups


def meet(met: dict[str, set[str]], groups: Sequence[Sequence[str]]) -> int:
    """Record the groups' pairs as met; how many were new."""
    new = 0
    for g in groups:
        for i, a in enumerate(g):
            for b in g[i + 1:]:
                if b not in met.setdefault(a, set()):
                    new += 1
                    met[a].add(b)
                    met.setdefault(b, set()).add(a)
    return new


def series(n: int, rounds: int, size: int, seed: int) -> None:
    rng = random.Random(seed)
    people = make_people(rng, n)
    ids = [p.id for p in people]
    met: dict[str, set[str]] = {}
    met_random: dict[str, set[str]] = {}
    wall, cpu = [], []
    print(f"\n### {n:,} people, groups of {size}, {rounds} rounds\n")
    print("| round | ms (CPU) | new pairs | repeated | no shared language | shared interests "
          "| random: new pairs | repeated | no shared language | shared interests |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in range(1, rounds + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        groups = group(people, size, met, seed=seed * 1000 + r)
        wall.append(1000 * (time.perf_counter() - t0))
        cpu.append(1000 * (time.process_time() - c0))
        ours = score(groups, people, met)
        theirs_groups = random_grouping(rng, ids, size)
        theirs = score(theirs_groups, people, met_random)
        new, new_random = meet(met, groups), meet(met_random, theirs_groups)
        print(f"| {r} | {cpu[-1]:.0f} | {new:,} | {ours.repeated_pairs} | "
              f"{ours.without_language} | {ours.shared_interests:,} | {new_random:,} | "
              f"{theirs.repeated_pairs} | {theirs.without_language} | "
              f"{theirs.shared_interests:,} |")
    print(f"\ngroup(): CPU median {statistics.median(cpu):.0f} ms, max {max(cpu):.0f} ms; "
          f"wall median {statistics.median(wall):.0f} ms, max {max(wall):.0f} ms")


def tracker_cost(n: int, tables: int, sweeps: int, seed: int) -> None:
    """Every table observed once per sweep, 10 s of fake time apart; a fifth of the
    people take a step between sweeps."""
    rng = random.Random(seed)
    occupants: dict[str, dict[str, tuple[int, int]]] = {f"t{t}": {} for t in range(tables)}
    for i in range(n):
        occupants[f"t{i % tables}"][f"p{i:05}"] = (rng.randint(0, 999), rng.randint(0, 999))
    tracker = MetTracker()
    cpu, met, close = [], 0, 0
    for step in range(sweeps):
        for room in occupants.values():
            for pid, (x, y) in room.items():
                if rng.random() < 0.2:
                    room[pid] = (min(999, max(0, x + rng.randint(-60, 60))),
                                 min(999, max(0, y + rng.randint(-60, 60))))
        c0 = time.process_time()
        met += len(tracker.observe(occupants, step * 10_000))
        cpu.append(1000 * (time.process_time() - c0))
        close = max(close, sum(len(c) for c in tracker._close.values()))
    per_table = statistics.median(cpu) / tables
    print(f"| {n:,} | {tables} | {n // tables} | {statistics.median(cpu):.1f} | {max(cpu):.1f} "
          f"| {per_table:.2f} | {close:,} | {met:,} |")


async def _ticking(work: Callable[[], Awaitable[object]], period: float = 0.1) -> float:
    """The worst lateness (ms) of a `period` tick loop while `work` runs."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    done = False

    async def ticks() -> None:
        nonlocal worst
        due = loop.time() + period
        while not done:
            await asyncio.sleep(max(0.0, due - loop.time()))
            worst = max(worst, loop.time() - due)
            due += period

    ticker = asyncio.create_task(ticks())
    await asyncio.sleep(0.3)
    await work()
    await asyncio.sleep(0.3)
    done = True
    await ticker
    return worst * 1000


def tick_stall(n: int, size: int, seed: int) -> None:
    """How late a 10 Hz tick runs while `n` people are grouped: in the loop, as a
    naive server would, and in a worker thread, as the server does (server/tick.py)."""
    people = make_people(random.Random(seed), n)

    async def inline() -> None:
        group(people, size, (), seed)

    async def threaded() -> None:
        await asyncio.to_thread(group, people, size, (), seed)

    for name, work in (("in the loop", inline), ("in a worker thread", threaded)):
        late = asyncio.run(_ticking(work))
        print(f"| {n:,} | {name} | {late:.0f} ms |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[90, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracker-people", type=int, default=5000)
    parser.add_argument("--sweeps", type=int, default=20)
    parser.add_argument("--tick-only", action="store_true",
                        help="only the tick's worst lateness while 5,000 are grouped")
    args = parser.parse_args(argv)
    if args.tick_only:
        print("| people | grouping runs | worst tick lateness (10 Hz) |\n| ---: | --- | ---: |")
        tick_stall(args.tracker_people, args.size, args.seed)
        return 0
    print(f"Python {sys.version.split()[0]}")
    for n in args.people:
        series(n, args.rounds, args.size, args.seed)
    print("\n### MetTracker.observe, every table at once\n")
    print("| people | tables | per table | ms CPU median | max | ms per table "
          "| pairs close (max) | pairs met |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    n = args.tracker_people
    for tables in (14, max(14, n // 12)):
        tracker_cost(n, tables, args.sweeps, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
