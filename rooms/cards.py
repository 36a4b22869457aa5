"""Business cards: consented exchanges between people of one event (issue 3)."""

from __future__ import annotations

from rooms.floor import Floor


class Cards(Floor):
    """Card requests and contacts, on top of the floor."""
