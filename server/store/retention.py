"""Storage side of retention: when an event was last active, and erasing an event's
people, cards and logs while its organizer report is kept as aggregate figures.

What stays after `erase_event`: the event, its rooms, the peak of people connected
(`stats`) and the report frozen in `archived_reports` (counts only, no person id).
"""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from server.store.cards import checkpoint
from server.store.transaction import Transactions

#: Tables holding an event's people and what they did, by the column naming the event.
#: `contacts` has no event column and goes by its people first.
ERASED = (("card_requests", "event"), ("exchanges", "event"), ("visits", "event"),
          ("moderation_log", "event"), ("flags", "event"), ("timers", "event"), ("seats", "event"),
          ("photos", "event"), ("met", "event"), ("people", "event"))


class RetentionStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def last_activity(self, slug: str, now: int) -> int | None:
        """The latest moment anything happened in the event (a visit still open is now)."""
        async with self.db.execute(
            "SELECT MAX(t) FROM ("
            " SELECT created_at AS t FROM events WHERE slug = ?1"
            " UNION ALL SELECT MAX(created_at) FROM people WHERE event = ?1"
            " UNION ALL SELECT MAX(COALESCE(left_at, ?2)) FROM visits WHERE event = ?1"
            " UNION ALL SELECT MAX(at) FROM exchanges WHERE event = ?1"
            " UNION ALL SELECT MAX(at) FROM card_requests WHERE event = ?1"
            " UNION ALL SELECT MAX(at) FROM moderation_log WHERE event = ?1"
            " UNION ALL SELECT MAX(at) FROM flags WHERE event = ?1)",
            (slug, now),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def archived_slugs(self) -> set[str]:
        async with self.db.execute("SELECT event FROM archived_reports") as cur:
            return {r[0] for r in await cur.fetchall()}

    async def archived_report(self, slug: str) -> dict[str, Any] | None:
        """The report frozen when the event's people were erased, or None."""
        async with self.db.execute(
            "SELECT report FROM archived_reports WHERE event = ?", (slug,)
        ) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else None

    async def erase_event(self, slug: str, report: dict[str, Any], now: int) -> None:
        """Keep `report`, then erase the event's people, cards and logs, in one transaction;
        the WAL is checkpointed after, as for a person's erasure."""
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO archived_reports (event, report, erased_at) VALUES (?,?,?)",
                (slug, json.dumps(report, ensure_ascii=False), now),
            )
            await self.db.execute(
                "DELETE FROM contacts WHERE owner IN (SELECT id FROM people WHERE event = ?1)"
                " OR other IN (SELECT id FROM people WHERE event = ?1)", (slug,),
            )
            for table, column in ERASED:
                await self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (slug,))
        async with self.transaction.outside():
            await checkpoint(self.db)
