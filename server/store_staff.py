"""Storage of bans, mutes, the moderation log and flags; tables in server/storage.py."""

from __future__ import annotations

import aiosqlite

from rooms.event import Event


class StaffStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def restore(self, event: Event) -> None:
        """Load the event's timer and other staff state into memory at start-up."""
