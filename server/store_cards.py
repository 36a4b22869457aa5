"""Storage of card requests, exchanges, contacts, visits and the report's figures.

Tables are in server/storage.py. `save_exchange` writes the exchange, both
contacts and the answered request in one transaction and commits before it
returns: nobody hears of an exchange that a crash could lose.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from typing import Any

import aiosqlite

from rooms.cards import CardRequest, Exchange
from rooms.event import Event
from rooms.model import Person, Visit


class CardStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def restore(self, event: Event) -> None:
        """Load the event's pending card requests and contact pairs into memory."""
        async with self.db.execute(
            "SELECT r.* FROM card_requests r LEFT JOIN rooms ON rooms.id = r.room"
            " WHERE r.event = ? ORDER BY r.at", (event.slug,)
        ) as cur:
            for row in await cur.fetchall():
                if row["from_person"] in event.people and row["to_person"] in event.people:
                    room = event.rooms.get(row["room"] or "")
                    event.restore_request(CardRequest(
                        row["id"], row["from_person"], row["to_person"], row["room"],
                        room.title if room else "", row["at"]))
        async with self.db.execute(
            "SELECT a, b FROM exchanges WHERE event = ?", (event.slug,)
        ) as cur:
            for row in await cur.fetchall():
                event.restore_contact(row["a"], row["b"])

    # --- requests and exchanges ---------------------------------------------------

    async def save_request(self, slug: str, request: CardRequest) -> None:
        await self.db.execute(
            "INSERT INTO card_requests (id, event, from_person, to_person, room, at)"
            " VALUES (?,?,?,?,?,?)",
            (request.id, slug, request.sender, request.to, request.room, request.at),
        )
        await self.db.commit()

    async def delete_request(self, request_id: str) -> None:
        await self.db.execute("DELETE FROM card_requests WHERE id = ?", (request_id,))
        await self.db.commit()

    async def save_exchange(self, slug: str, ex: Exchange, requester: Person,
                            accepter: Person) -> None:
        """Commit an accepted exchange with both contacts; the request goes."""
        try:
            await self.db.execute(
                "INSERT INTO exchanges (id, event, a, b, room, room_title, at)"
                " VALUES (?,?,?,?,?,?,?)",
                (ex.id, slug, ex.requester, ex.accepter, ex.room, ex.room_title, ex.at),
            )
            await self.db.executemany(
                "INSERT OR REPLACE INTO contacts (owner, other, card, met_in, met_in_title, at)"
                " VALUES (?,?,?,?,?,?)",
                [(owner.id, other.id, json.dumps(other.profile.card(), ensure_ascii=False),
                  ex.room, ex.room_title, ex.at)
                 for owner, other in ((requester, accepter), (accepter, requester))],
            )
            await self.db.execute(
                "DELETE FROM card_requests WHERE (from_person = ? AND to_person = ?)"
                " OR (from_person = ? AND to_person = ?)",
                (ex.requester, ex.accepter, ex.accepter, ex.requester),
            )
            await self.db.commit()
        except BaseException:
            await self.db.rollback()
            raise

    async def contacts_of(self, person_id: str) -> list[dict[str, Any]]:
        """The person's contacts, oldest first, in the contract's Contact shape."""
        async with self.db.execute(
            "SELECT * FROM contacts WHERE owner = ? ORDER BY at, other", (person_id,)
        ) as cur:
            rows = await cur.fetchall()
        return [
            {"person": r["other"], "card": json.loads(r["card"]), "met_in": r["met_in"],
             "met_in_title": r["met_in_title"], "at": r["at"]}
            for r in rows
        ]

    async def update_card(self, person_id: str, card: dict[str, Any]) -> None:
        """Contacts hold the latest card of someone who edits theirs."""
        await self.db.execute(
            "UPDATE contacts SET card = ? WHERE other = ?",
            (json.dumps(card, ensure_ascii=False), person_id),
        )
        await self.db.commit()

    async def erase(self, person_id: str, now: int) -> None:
        """Erase a person: profile, token, pending requests and own contact list."""
        await self.db.execute(
            "UPDATE people SET profile = '{\"name\": \"\"}', token_hash = NULL, erased_at = ?"
            " WHERE id = ?", (now, person_id),
        )
        await self.db.execute(
            "DELETE FROM card_requests WHERE from_person = ? OR to_person = ?",
            (person_id, person_id),
        )
        await self.db.execute("DELETE FROM contacts WHERE owner = ?", (person_id,))
        await self.db.commit()

    # --- visits and the report ----------------------------------------------------------

    async def record_visits(self, slug: str, visits: Iterable[Visit]) -> None:
        """Append entries and close exits, in order, in one transaction."""
        try:
            await self._record_visits(slug, visits)
        except BaseException:
            await self.db.rollback()
            raise

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
        await self.db.commit()

    async def close_open_visits(self, slug: str, now: int) -> None:
        """At start-up nobody is on the floor: visits left open by a stop end now."""
        await self.db.execute(
            "UPDATE visits SET left_at = MAX(entered_at, ?) WHERE event = ? AND left_at IS NULL",
            (now, slug),
        )
        await self.db.commit()

    async def raise_peak(self, slug: str, concurrent: int) -> None:
        await self.db.execute(
            "INSERT INTO stats (event, peak_concurrent) VALUES (?, ?) ON CONFLICT(event)"
            " DO UPDATE SET peak_concurrent = MAX(peak_concurrent, excluded.peak_concurrent)",
            (slug, concurrent),
        )
        await self.db.commit()

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
