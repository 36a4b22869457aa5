"""Storage of room visits and the peak of people connected, and the organizer report
computed from them with the exchanges (counts only, never a card field)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

import aiosqlite

from rooms.event import Event
from rooms.model import Visit
from server.store.met import met_report
from server.store.transaction import Transactions


class VisitStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def record_visits(self, slug: str, visits: Iterable[Visit]) -> None:
        """Append entries and close exits, in order, in one transaction."""
        async with self.transaction():
            await self._record_visits(slug, visits)

    async def _record_visits(self, slug: str, visits: Iterable[Visit]) -> None:
        for visit in visits:
            if visit.entered:
                await self.db.execute(
                    "INSERT INTO visits (event, person, room, entered_at) VALUES (?,?,?,?)",
                    (slug, visit.person, visit.room, visit.at),
                )
            else:
                await self.db.execute(
                    "UPDATE visits SET left_at = ? WHERE rowid = (SELECT rowid FROM visits"
                    " WHERE person = ? AND room = ? AND left_at IS NULL"
                    " ORDER BY entered_at DESC LIMIT 1)",
                    (visit.at, visit.person, visit.room),
                )

    async def close_open_visits(self, slug: str, now: int) -> None:
        """At start-up, visits left open by a stop end now, but for people still seated
        there (`seats`): they are back in grace and their visit goes on.

        Only `serve` calls this, as it starts (never `kohtaamo staff add`, which
        may run beside a live server whose visits are open)."""
        async with self.transaction():
            await self.db.execute(
                "UPDATE visits SET left_at = MAX(entered_at, ?) WHERE event = ?"
                " AND left_at IS NULL AND NOT EXISTS (SELECT 1 FROM seats"
                " WHERE seats.person = visits.person AND seats.room = visits.room)",
                (now, slug),
            )

    async def raise_peak(self, slug: str, concurrent: int) -> None:
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO stats (event, peak_concurrent) VALUES (?, ?) ON CONFLICT(event)"
                " DO UPDATE SET peak_concurrent = MAX(peak_concurrent, excluded.peak_concurrent)",
                (slug, concurrent),
            )

    async def report(self, event: Event, now: int) -> dict[str, Any]:
        """The organizer report: counts only, never a card field."""
        slug = event.slug

        async def rows(sql: str, *params: Any) -> list[aiosqlite.Row]:
            async with self.db.execute(sql, params) as cur:
                return list(await cur.fetchall())

        attendees = [r["id"] for r in await rows(
            "SELECT id FROM people WHERE event = ? AND role = 'attendee'", slug)]
        peak = await rows("SELECT peak_concurrent FROM stats WHERE event = ?", slug)
        exchanges = await rows("SELECT a, b FROM exchanges WHERE event = ?", slug)
        per_person = dict.fromkeys(attendees, 0)
        for ex in exchanges:
            for who in (ex["a"], ex["b"]):
                if who in per_person:
                    per_person[who] += 1
        counts = list(per_person.values()) or [0]
        visit_rows = await rows(
            "SELECT room, COUNT(*) AS visits, COUNT(DISTINCT person) AS uniq,"
            " AVG(COALESCE(left_at, ?) - entered_at) AS dwell"
            " FROM visits WHERE event = ? GROUP BY room", now, slug)
        by_room = {r["room"]: r for r in visit_rows}
        return {
            "event": slug,
            "attendees": len(attendees),
            "peak_concurrent": max(peak[0]["peak_concurrent"] if peak else 0,
                                   event.peak_connected),
            "exchanges": len(exchanges),
            "contacts_per_attendee": {
                "mean": round(statistics.fmean(counts), 2),
                "median": float(statistics.median(counts)),
                "max": max(counts),
            },
            **await met_report(self.db, slug, attendees),
            "rooms": [
                {
                    "room": room.id, "title": room.title,
                    "visits": by_room[room.id]["visits"] if room.id in by_room else 0,
                    "unique_visitors": by_room[room.id]["uniq"] if room.id in by_room else 0,
                    "mean_dwell_s": round((by_room[room.id]["dwell"] or 0) / 1000, 1)
                    if room.id in by_room else 0.0,
                }
                for room in event.rooms.values()
            ],
        }
