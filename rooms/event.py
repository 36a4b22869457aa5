"""`Event`: one networking occasion, the floor plus its cards and staff actions."""

from __future__ import annotations

from rooms.cards import Cards
from rooms.staff import Staff


class Event(Cards, Staff):
    """The whole in-memory world of one event; see `rooms.floor.Floor` for the rules."""
