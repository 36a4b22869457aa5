"""Storage of card requests, exchanges, contacts and visits; tables in server/storage.py."""

from __future__ import annotations

import aiosqlite

from rooms.event import Event


class CardStore:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def restore(self, event: Event) -> None:
        """Load the event's pending card requests and contacts into memory at start-up."""
