"""Host and moderator actions on the floor (issue 4)."""

from __future__ import annotations

from rooms.floor import Floor


class Staff(Floor):
    """What hosts and moderators may do, on top of the floor."""
