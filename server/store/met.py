"""Storage of who met whom (networking rounds, or sitting together at a table).

One row a pair, the first meeting kept (`a` < `b`): read at start-up so later
rounds avoid repeats, listed for "People I met", counted for the report, and
deleted with either person (erasure) or the event (retention).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

import aiosqlite

from rooms.met import Met
from server.store.transaction import Transactions


class MetStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def save(self, slug: str, met: Iterable[tuple[Met, str]]) -> None:
        """Record meetings, each with the room's title then; a pair already met stays
        as first recorded."""
        rows = [(slug, m.a, m.b, m.room, title, m.at, m.via.value) for m, title in met]
        if not rows:
            return
        async with self.transaction():
            await self.db.executemany(
                "INSERT INTO met (event, a, b, room, room_title, at, via) VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT(a, b) DO NOTHING", rows)

    async def pairs(self, slug: str) -> list[tuple[str, str]]:
        """Every pair of the event who met (at start-up)."""
        async with self.db.execute("SELECT a, b FROM met WHERE event = ?", (slug,)) as cur:
            return [(r[0], r[1]) for r in await cur.fetchall()]

    async def of(self, person_id: str) -> list[aiosqlite.Row]:
        """The person's meetings, newest first: `other`, `room`, `room_title`, `at`, `via`."""
        async with self.db.execute(
            "SELECT b AS other, room, room_title, at, via FROM met WHERE a = ?1"
            " UNION ALL SELECT a AS other, room, room_title, at, via FROM met WHERE b = ?1"
            " ORDER BY at DESC", (person_id,),
        ) as cur:
            return list(await cur.fetchall())



async def met_report(db: aiosqlite.Connection, slug: str, attendees: list[str]) -> dict[str, Any]:
    """The report's figures of meetings (contract v1.2), counts only: people met per
    attendee, the share who met five or more, and the new pairs rounds made; with
    (an extension) the distribution of people met, for the host's chart."""
    async with db.execute(
        "SELECT p, COUNT(*) FROM (SELECT a AS p FROM met WHERE event = ?1"
        " UNION ALL SELECT b FROM met WHERE event = ?1) GROUP BY p", (slug,),
    ) as cur:
        met = {r[0]: int(r[1]) for r in await cur.fetchall()}
    async with db.execute(
        "SELECT COUNT(*) FROM met WHERE event = ? AND via = 'round'", (slug,),
    ) as cur:
        row = await cur.fetchone()
    counts = [met.get(person, 0) for person in attendees] or [0]
    spread: dict[str, int] = {}
    for n in counts:
        spread[str(n)] = spread.get(str(n), 0) + 1
    return {
        "people_met_per_attendee": {
            "mean": round(statistics.fmean(counts), 2),
            "median": float(statistics.median(counts)),
            "max": max(counts),
            "distribution": dict(sorted(spread.items(), key=lambda kv: int(kv[0]))),
        },
        "met_five_or_more": round(sum(n >= 5 for n in counts) / len(attendees), 3)
        if attendees else 0.0,
        "round_pairs_new": int(row[0]) if row else 0,
    }
