"""Storage of card requests, exchanges and contacts.

Tables are in server/store/migrations.py. Every write runs in one transaction
(`server.store.transaction`): `save_exchange` writes the exchange, both contacts
and the answered request together and commits before it returns, so nobody hears
of an exchange that a crash could lose.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiosqlite

from rooms.cards import CardRequest, Exchange
from rooms.event import Event
from rooms.model import Person
from server.store.transaction import Transactions

log = logging.getLogger(__name__)

class CardStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

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
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO card_requests (id, event, from_person, to_person, room, at)"
                " VALUES (?,?,?,?,?,?)",
                (request.id, slug, request.sender, request.to, request.room, request.at),
            )

    async def delete_request(self, request_id: str) -> None:
        async with self.transaction():
            await self.db.execute("DELETE FROM card_requests WHERE id = ?", (request_id,))

    async def save_exchange(self, slug: str, ex: Exchange, requester: Person,
                            accepter: Person) -> None:
        """Commit an accepted exchange with both contacts; the request goes."""
        async with self.transaction():
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
        async with self.transaction():
            await self.db.execute(
                "UPDATE contacts SET card = ? WHERE other = ?",
                (json.dumps(card, ensure_ascii=False), person_id),
            )

    async def erase(self, person_id: str, now: int) -> None:
        """Erase a person: profile, photo, token, pending requests and own contact list.

        Then the WAL is checkpointed and truncated: with `secure_delete` on, the
        old profile is left in neither the database file nor the `-wal` file.
        Contacts other people hold of the person stay: each is a card given by
        consent in an exchange.
        """
        async with self.transaction():
            await self.db.execute(
                "UPDATE people SET profile = '{\"name\": \"\"}', token_hash = NULL, erased_at = ?"
                " WHERE id = ?", (now, person_id),
            )
            await self.db.execute(
                "DELETE FROM card_requests WHERE from_person = ? OR to_person = ?",
                (person_id, person_id),
            )
            await self.db.execute("DELETE FROM contacts WHERE owner = ?", (person_id,))
            await self.db.execute("DELETE FROM seats WHERE person = ?", (person_id,))
            await self.db.execute("DELETE FROM photos WHERE person = ?", (person_id,))
            await self.db.execute("DELETE FROM met WHERE a = ?1 OR b = ?1", (person_id,))
        async with self.transaction.outside():
            await checkpoint(self.db)


async def checkpoint(db: aiosqlite.Connection) -> None:
    """Copy the WAL into the database and truncate it, so no old page stays there.

    A reader of another connection (a backup) can hold it up; then the next
    erasure's checkpoint or SQLite's own takes what is left.
    """
    async with db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cur:
        row = await cur.fetchone()
    if row is not None and row[0]:
        log.warning("the WAL checkpoint after an erasure was blocked by a reader")
