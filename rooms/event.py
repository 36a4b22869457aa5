"""`Event`: one networking occasion, the floor plus its cards and staff actions."""

from __future__ import annotations

from rooms.floor import Floor


class Event(Floor):
    """The whole in-memory world of one event; see `Floor` for the rules."""
