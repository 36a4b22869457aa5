"""Storage of where people sit (room and position), so a restart returns them there.

Written cheaply: room changes a few times a second at most (`save`), every
position once at shutdown (`replace`); read once at start-up (`load`).
"""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from rooms.model import Seat
from server.store.transaction import Transactions


class SeatStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def save(self, slug: str, seated: Iterable[Seat], left: Iterable[str]) -> None:
        """Write who sits where now and forget who left the floor, in one transaction."""
        async with self.transaction():
            await self.db.executemany(
                "INSERT INTO seats (person, event, room, x, y) VALUES (?,?,?,?,?)"
                " ON CONFLICT(person) DO UPDATE SET room = excluded.room, x = excluded.x,"
                " y = excluded.y",
                [(s.person, slug, s.room, s.x, s.y) for s in seated],
            )
            await self.db.executemany(
                "DELETE FROM seats WHERE person = ?", [(pid,) for pid in left])

    async def replace(self, slug: str, seats: Iterable[Seat]) -> None:
        """Make the event's stored seats exactly `seats` (at shutdown, with positions)."""
        async with self.transaction():
            await self.db.execute("DELETE FROM seats WHERE event = ?", (slug,))
            await self.save(slug, seats, ())

    async def load(self, slug: str) -> list[Seat]:
        """The seats of the event's people who may still come back (not erased, not banned)."""
        async with self.db.execute(
            "SELECT s.person, s.room, s.x, s.y FROM seats s JOIN people p ON p.id = s.person"
            " WHERE s.event = ? AND p.erased_at IS NULL AND p.banned = 0", (slug,),
        ) as cur:
            return [Seat(r[0], r[1], int(r[2]), int(r[3])) for r in await cur.fetchall()]
