"""SQLite storage behind a narrow interface.

The server asks for the few things it needs (`create_person`, `person_by_token`,
`save_exchange`, …) and never writes SQL elsewhere. The schema grows by numbered
migrations (`server.store.migrations`) recorded in `PRAGMA user_version`.
WAL with synchronous=FULL: a commit that returned survives `kill -9` and power
loss. `secure_delete` is on, and an erasure checkpoints the WAL, so erased
data is left neither in free pages nor in the `-wal` file.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import aiosqlite

from rooms.languages import LOBBY_THEMES, LOBBY_TITLES
from rooms.model import Role, RoomKind
from rooms.profile import Profile
from server.store.backup import hold_shared
from server.store.cards import CardStore
from server.store.met import MetStore
from server.store.migrations import MIGRATIONS
from server.store.photos import PhotoStore
from server.store.retention import RetentionStore
from server.store.seats import SeatStore
from server.store.staff import StaffStore
from server.store.transaction import Transactions
from server.store.visits import VisitStore

#: A configured table: (title, theme, capacity) or (…, titles, themes) by language.
RoomRow = tuple[str, str, int | None] | tuple[str, str, int | None, Mapping[str, str],
                                              Mapping[str, str]]


def _json(texts: Mapping[str, str]) -> str:
    return json.dumps(dict(texts), ensure_ascii=False)


def texts_from_json(text: str | None) -> dict[str, str]:
    """A room's `titles`/`themes` column; anything but a map of strings reads as none."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


def new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(9)


def profile_to_json(profile: Profile) -> str:
    return json.dumps(profile.card(), ensure_ascii=False)


def profile_from_json(text: str) -> Profile:
    data = json.loads(text)
    data["languages"] = tuple(data.get("languages", ()))
    data["interests"] = tuple(data.get("interests", ()))
    return Profile(**data)


class Storage:
    """One aiosqlite connection; every write runs in a transaction, one at a time.

    Events, rooms and people are here; cards (`CardStore`), staff records
    (`StaffStore`), visits (`VisitStore`), seats (`SeatStore`), retention
    (`RetentionStore`), photos (`PhotoStore`) and
    meetings (`MetStore`) share the connection.
    `async with storage.transaction():` groups several writes into one commit
    (server.store.transaction); a write outside one commits before it returns.
    """

    def __init__(self, db: aiosqlite.Connection, lock: IO[bytes] | None = None) -> None:
        self.db = db
        #: The shared lock on the database (server/store/backup.py): no restore meanwhile.
        self._lock = lock
        self.transaction = Transactions(db)
        self.cards = CardStore(db, self.transaction)
        self.staff = StaffStore(db, self.transaction)
        self.visits = VisitStore(db, self.transaction)
        self.seats = SeatStore(db, self.transaction)
        self.retention = RetentionStore(db, self.transaction)
        self.photos = PhotoStore(db, self.transaction)
        self.met = MetStore(db, self.transaction)

    @classmethod
    async def open(cls, path: Path) -> Storage:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = hold_shared(path)
        try:
            db = await aiosqlite.connect(path)
        except BaseException:
            lock.close()
            raise
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        # Deleted and overwritten content is zeroed, never left in free pages: set here,
        # not left to how the distribution built SQLite (erasure relies on it).
        await db.execute("PRAGMA secure_delete=ON")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        storage = cls(db, lock)
        await storage.migrate()
        return storage

    async def close(self) -> None:
        try:
            await self.db.close()
        finally:
            if self._lock is not None:
                self._lock.close()

    async def migrate(self) -> None:
        async with self.db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        version = row[0] if row else 0
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self.db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    async def healthy(self) -> bool:
        async with self.db.execute("SELECT 1") as cur:
            return (await cur.fetchone()) is not None

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    # --- events and rooms -----------------------------------------------------------

    async def ensure_event(
        self, slug: str, title: str, description: str, code: str,
        rooms: Iterable[RoomRow], now: int,
    ) -> bool:
        """Create the event with a lobby and `rooms` unless it exists. True when created.

        A room is `(title, theme, capacity)`, or with `titles` and `themes` by
        language after them (issue 12)."""
        async with self.transaction():
            return await self._ensure_event(slug, title, description, code, rooms, now)

    async def _ensure_event(
        self, slug: str, title: str, description: str, code: str,
        rooms: Iterable[RoomRow], now: int,
    ) -> bool:
        if await self._one("SELECT 1 FROM events WHERE slug = ?", (slug,)):
            return False
        await self.db.execute(
            "INSERT INTO events (slug, title, description, code, created_at) VALUES (?,?,?,?,?)",
            (slug, title, description, code, now),
        )
        rows: list[tuple[Any, ...]] = [
            (new_id("r_"), slug, RoomKind.LOBBY.value, "Aula", "Lobby", 1, None, 0, now,
             _json(LOBBY_TITLES), _json(LOBBY_THEMES))
        ]
        for i, room in enumerate(rooms, start=1):
            t, theme, cap, *maps = room
            titles, themes = [*maps, {}, {}][:2]
            rows.append((new_id("r_"), slug, RoomKind.TABLE.value, t, theme, 1, cap, i, now,
                         _json(titles), _json(themes)))
        await self.db.executemany(
            "INSERT INTO rooms (id, event, kind, title, theme, open, capacity, position,"
            " updated_at, titles, themes) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        return True

    async def event(self, slug: str) -> aiosqlite.Row | None:
        return await self._one("SELECT * FROM events WHERE slug = ?", (slug,))

    async def event_slugs(self) -> list[str]:
        return [r["slug"] for r in await self._all("SELECT slug FROM events ORDER BY created_at")]

    async def rooms_of(self, slug: str) -> list[aiosqlite.Row]:
        return await self._all(
            "SELECT * FROM rooms WHERE event = ? ORDER BY position, rowid", (slug,)
        )

    async def save_room(
        self, room_id: str, slug: str, kind: str, title: str, theme: str, is_open: bool,
        capacity: int | None, now: int, *, titles: Mapping[str, str] | None = None,
        themes: Mapping[str, str] | None = None,
    ) -> None:
        """Insert or update a room, keeping its place in the list."""
        async with self.transaction():
            await self._save_room(room_id, slug, kind, title, theme, is_open, capacity, now,
                                  titles or {}, themes or {})

    async def _save_room(
        self, room_id: str, slug: str, kind: str, title: str, theme: str, is_open: bool,
        capacity: int | None, now: int, titles: Mapping[str, str],
        themes: Mapping[str, str],
    ) -> None:
        await self.db.execute(
            "INSERT INTO rooms (id, event, kind, title, theme, open, capacity, position,"
            " updated_at, titles, themes) VALUES (?,?,?,?,?,?,?,"
            " (SELECT COALESCE(MAX(position), 0) + 1 FROM rooms WHERE event = ?), ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET title = excluded.title, theme = excluded.theme,"
            " open = excluded.open, capacity = excluded.capacity,"
            " updated_at = excluded.updated_at, titles = excluded.titles,"
            " themes = excluded.themes",
            (room_id, slug, kind, title, theme, int(is_open), capacity, slug, now,
             _json(titles), _json(themes)),
        )

    # --- people ----------------------------------------------------------------

    async def create_person(
        self, slug: str, role: Role, profile: Profile, token_hash: str, now: int,
    ) -> str:
        person_id = new_id("p_")
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO people (id, event, role, token_hash, profile, created_at)"
                " VALUES (?,?,?,?,?,?)",
                (person_id, slug, role.value, token_hash, profile_to_json(profile), now),
            )
        return person_id

    async def person_by_token(self, token_hash: str) -> aiosqlite.Row | None:
        return await self._one(
            "SELECT * FROM people WHERE token_hash = ? AND erased_at IS NULL", (token_hash,)
        )

    async def people_of(self, slug: str) -> list[aiosqlite.Row]:
        return await self._all(
            "SELECT * FROM people WHERE event = ? AND erased_at IS NULL ORDER BY created_at",
            (slug,),
        )

    async def ever_connected(self, slug: str) -> set[str]:
        """People of the event who were ever seated (have a visit): everyone else
        joined and never connected."""
        rows = await self._all("SELECT DISTINCT person FROM visits WHERE event = ?", (slug,))
        return {r["person"] for r in rows}

    async def delete_unconnected(self, person_ids: list[str]) -> None:
        """Delete attendees who never connected, tokens, photos and all (nothing else
        refers to them: cards and visits need a connection)."""
        async with self.transaction():
            for start in range(0, len(person_ids), 500):
                chunk = person_ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                # a photo uploaded right after joining goes with its person
                await self.db.execute(f"DELETE FROM photos WHERE person IN ({marks})", chunk)
                await self.db.execute(
                    f"DELETE FROM people WHERE role = 'attendee' AND id IN ({marks})", chunk,
                )

    async def count_staff(self, slug: str) -> dict[str, int]:
        rows = await self._all(
            "SELECT role, COUNT(*) AS n FROM people WHERE event = ? AND erased_at IS NULL"
            " GROUP BY role",
            (slug,),
        )
        return {r["role"]: r["n"] for r in rows}

    async def update_profile(self, person_id: str, profile: Profile) -> None:
        async with self.transaction():
            await self.db.execute(
                "UPDATE people SET profile = ? WHERE id = ?",
                (profile_to_json(profile), person_id),
            )
