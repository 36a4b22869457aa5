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

#: Arrivals are counted in buckets of the first of these sizes (seconds) that keeps
#: the chart at most `MAX_BUCKETS` long.
BUCKET_SIZES = (300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400)
MAX_BUCKETS = 288


def arrivals(first_entries: Iterable[int]) -> dict[str, Any]:
    """(issue 12) When attendees first came onto the floor, counted per bucket:
    `{bucket_s, start, counts}` with `start` the first bucket's epoch ms (null
    when nobody came) and empty buckets between counted as 0."""
    times = sorted(first_entries)
    if not times:
        return {"bucket_s": BUCKET_SIZES[0], "start": None, "counts": []}
    span = times[-1] - times[0]
    size = next((b for b in BUCKET_SIZES if span // (b * 1000) < MAX_BUCKETS),
                BUCKET_SIZES[-1])
    step = size * 1000
    start = times[0] // step * step
    counts = [0] * ((times[-1] - start) // step + 1)
    for at in times:
        counts[(at - start) // step] += 1
    return {"bucket_s": size, "start": start, "counts": counts}


def histogram(values: Iterable[int]) -> list[int]:
    """(issue 12) `out[n]` = how many values are n, for n from 0 to the largest."""
    values = list(values)
    out = [0] * (max(values, default=0) + 1)
    for value in values:
        out[value] += 1
    return out


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
        first = await rows(
            "SELECT MIN(v.entered_at) AS first FROM visits v JOIN people p ON p.id = v.person"
            " WHERE v.event = ? AND p.role = 'attendee' GROUP BY v.person", slug)
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
            # issue 12: what the host console's charts draw (counts only)
            "contacts_histogram": histogram(per_person.values()),
            "arrivals": arrivals(r["first"] for r in first),
            **await met_report(self.db, slug, attendees),
            "rooms": [
                {
                    "room": room.id, "title": room.title, "titles": dict(room.titles),
                    "visits": by_room[room.id]["visits"] if room.id in by_room else 0,
                    "unique_visitors": by_room[room.id]["uniq"] if room.id in by_room else 0,
                    "mean_dwell_s": round((by_room[room.id]["dwell"] or 0) / 1000, 1)
                    if room.id in by_room else 0.0,
                }
                for room in event.rooms.values()
            ],
        }
