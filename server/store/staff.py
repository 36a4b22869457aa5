"""Storage of bans, mutes, the timer, the moderation log and flags.

Tables are in server/store/migrations.py (`people`, `moderation_log`, `flags`;
`timers` from migration 2). Every write runs in a transaction
(`server.store.transaction`); the handlers open one around an action's change
and its `log` row, so both land in one commit, or neither, before anything is
delivered or changed in memory.
"""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from rooms.event import Event
from rooms.model import Timer
from rooms.staff import Action
from server.store.transaction import Transactions


class StaffStore:
    def __init__(self, db: aiosqlite.Connection, transaction: Transactions) -> None:
        self.db = db
        self.transaction = transaction

    async def restore(self, event: Event) -> None:
        """Load the event's timer at start-up (mutes and bans come with `people`)."""
        async with self.db.execute(
            "SELECT label, ends_at FROM timers WHERE event = ?", (event.slug,)
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            event.timer = Timer(row["label"], row["ends_at"])

    # --- writes ---------------------------------------------------------------------

    async def set_mute(self, person_id: str, muted: bool, until: int | None) -> None:
        async with self.transaction():
            await self.db.execute(
                "UPDATE people SET muted = ?, muted_until = ? WHERE id = ?",
                (int(muted), until, person_id),
            )

    async def ban(self, person_id: str) -> None:
        async with self.transaction():
            await self.db.execute("UPDATE people SET banned = 1 WHERE id = ?", (person_id,))

    async def unban(self, person_id: str) -> None:
        async with self.transaction():
            await self.db.execute("UPDATE people SET banned = 0 WHERE id = ?", (person_id,))

    async def save_timer(self, slug: str, timer: Timer | None) -> None:
        async with self.transaction():
            if timer is None:
                await self.db.execute("DELETE FROM timers WHERE event = ?", (slug,))
            else:
                await self.db.execute(
                    "INSERT INTO timers (event, label, ends_at) VALUES (?,?,?)"
                    " ON CONFLICT(event) DO UPDATE SET label = excluded.label,"
                    " ends_at = excluded.ends_at",
                    (slug, timer.label, timer.ends_at),
                )

    async def log(self, slug: str, action: Action) -> None:
        """Append the action to the moderation log (in the caller's transaction, if any)."""
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO moderation_log (event, at, actor, action, target, detail)"
                " VALUES (?,?,?,?,?,?)",
                (slug, action.at, action.actor, action.action, action.target,
                 json.dumps(action.detail, ensure_ascii=False)),
            )

    async def add_flag(self, slug: str, flag: dict[str, Any]) -> None:
        async with self.transaction():
            await self.db.execute(
                "INSERT INTO flags (id, event, from_person, person, reason, at)"
                " VALUES (?,?,?,?,?,?)",
                (flag["flag"], slug, flag["from"], flag["person"], flag["reason"], flag["at"]),
            )

    async def resolve_flag(self, flag_id: str, at: int, by: str) -> None:
        """Mark a flag handled (issue 12), in the caller's transaction with its log row."""
        async with self.transaction():
            await self.db.execute(
                "UPDATE flags SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                (at, by, flag_id),
            )

    # --- reads ---------------------------------------------------------------------

    async def moderation(self, slug: str, limit: int) -> list[dict[str, Any]]:
        """The event's moderation log, newest first, with the names of actor and target
        (a person's name or a room's title, null once erased) for people to read."""
        async with self.db.execute(
            "SELECT m.seq, m.at, m.actor, m.action, m.target, m.detail,"
            " NULLIF(json_extract(a.profile, '$.name'), '') AS actor_name,"
            " COALESCE(NULLIF(json_extract(t.profile, '$.name'), ''), r.title) AS target_name"
            " FROM moderation_log m LEFT JOIN people a ON a.id = m.actor"
            " LEFT JOIN people t ON t.id = m.target LEFT JOIN rooms r ON r.id = m.target"
            " WHERE m.event = ? ORDER BY m.seq DESC LIMIT ?",
            (slug, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [
            {"seq": r["seq"], "at": r["at"], "actor": r["actor"], "action": r["action"],
             "target": r["target"], "detail": json.loads(r["detail"]),
             "actor_name": r["actor_name"], "target_name": r["target_name"]}
            for r in rows
        ]

    async def bans(self, slug: str, limit: int) -> list[dict[str, Any]]:
        """People banned in the event, latest ban first, with who banned them and why."""
        async with self.db.execute(
            "SELECT p.id, NULLIF(json_extract(p.profile, '$.name'), '') AS name,"
            " m.at, m.actor, NULLIF(json_extract(a.profile, '$.name'), '') AS actor_name,"
            " json_extract(m.detail, '$.reason') AS reason"
            " FROM people p LEFT JOIN moderation_log m ON m.seq = (SELECT MAX(seq)"
            "   FROM moderation_log WHERE target = p.id AND action = 'mod:kick')"
            " LEFT JOIN people a ON a.id = m.actor"
            " WHERE p.event = ? AND p.banned = 1 AND p.erased_at IS NULL"
            " ORDER BY m.at DESC LIMIT ?",
            (slug, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [
            {"person": r["id"], "name": r["name"], "at": r["at"], "by": r["actor"],
             "by_name": r["actor_name"], "reason": r["reason"]}
            for r in rows
        ]

    async def flags(self, slug: str, limit: int) -> list[dict[str, Any]]:
        """People flagged in the event, newest first, shaped as `flag:new`, with
        `resolved_at`, `resolved_by` and `resolved_by_name` (null while open)."""
        return await self._flags("f.event = ?", (slug,), limit)

    async def flag(self, slug: str, flag_id: str) -> dict[str, Any] | None:
        """One flag of the event, as `flags` gives it, or None."""
        found = await self._flags("f.event = ? AND f.id = ?", (slug, flag_id), 1)
        return found[0] if found else None

    async def _flags(self, where: str, params: tuple[Any, ...], limit: int,
                     ) -> list[dict[str, Any]]:
        async with self.db.execute(
            "SELECT f.id, f.from_person, f.person, f.reason, f.at, f.resolved_at,"
            " f.resolved_by,"
            " NULLIF(json_extract(a.profile, '$.name'), '') AS from_name,"
            " NULLIF(json_extract(t.profile, '$.name'), '') AS person_name,"
            " NULLIF(json_extract(r.profile, '$.name'), '') AS resolved_by_name"
            " FROM flags f LEFT JOIN people a ON a.id = f.from_person"
            " LEFT JOIN people t ON t.id = f.person LEFT JOIN people r ON r.id = f.resolved_by"
            f" WHERE {where} ORDER BY f.at DESC, f.rowid DESC LIMIT ?",
            (*params, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [
            {"flag": r["id"], "from": r["from_person"], "person": r["person"],
             "reason": r["reason"], "at": r["at"], "from_name": r["from_name"],
             "person_name": r["person_name"], "resolved_at": r["resolved_at"],
             "resolved_by": r["resolved_by"], "resolved_by_name": r["resolved_by_name"]}
            for r in rows
        ]
