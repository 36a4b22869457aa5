"""Storage of profile photos: one re-encoded WebP per person, with a version.

The bytes live in SQLite beside the rest of the person, so a backup holds them,
a restore brings them back and an erasure takes them (`CardStore.erase` deletes
the row before the WAL checkpoint). The version is the upload's time in ms,
strictly growing per person: it goes into the photo's URL, which browsers may
then cache for good.
"""

from __future__ import annotations

import aiosqlite

from server.store.cards import checkpoint
from server.store.transaction import Transactions


class PhotoStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def versions(self, slug: str) -> dict[str, int]:
        """Person id -> photo version, for everyone of the event who has a photo."""
        async with self.db.execute(
            "SELECT person, version FROM photos WHERE event = ?", (slug,)) as cur:
            return {r[0]: int(r[1]) for r in await cur.fetchall()}

    async def get(self, person_id: str) -> tuple[int, bytes] | None:
        """(version, WebP bytes) of the person's photo, or None."""
        async with self.db.execute(
            "SELECT version, webp FROM photos WHERE person = ?", (person_id,)) as cur:
            row = await cur.fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    async def save(self, slug: str, person_id: str, webp: bytes, now: int) -> int:
        """Store (or replace) the person's photo. Returns its new version."""
        async with self.transaction():
            async with self.db.execute(
                "SELECT version FROM photos WHERE person = ?", (person_id,)) as cur:
                row = await cur.fetchone()
            version = max(now, int(row[0]) + 1) if row else now
            await self.db.execute(
                "INSERT INTO photos (person, event, version, webp) VALUES (?,?,?,?)"
                " ON CONFLICT(person) DO UPDATE SET version = excluded.version,"
                " webp = excluded.webp", (person_id, slug, version, webp))
        return version

    async def delete(self, person_id: str) -> bool:
        """Remove the person's photo, leaving its bytes in neither the database file nor
        the WAL (as an erasure does). True when there was one."""
        async with self.transaction():
            async with self.db.execute(
                "DELETE FROM photos WHERE person = ?", (person_id,)) as cur:
                removed = cur.rowcount > 0
        if removed:
            async with self.transaction.outside():
                await checkpoint(self.db)
        return removed
