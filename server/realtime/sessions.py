"""Which Socket.IO connection belongs to which person: one live connection each."""

from __future__ import annotations


class Sessions:
    def __init__(self) -> None:
        self._sid_of: dict[str, str] = {}
        self._person_of: dict[str, str] = {}
        #: connections that asked for the large-event forms (`compact` in CONNECT)
        self._compact: set[str] = set()

    def bind(self, person_id: str, sid: str, compact: bool = False) -> str | None:
        """Make `sid` the person's live connection; returns the one it replaces."""
        old = self._sid_of.get(person_id)
        if old is not None:
            self._person_of.pop(old, None)
            self._compact.discard(old)
        self._sid_of[person_id] = sid
        self._person_of[sid] = person_id
        if compact:
            self._compact.add(sid)
        return old

    def is_compact(self, sid: str) -> bool:
        """Whether the connection asked for batched `room:changes` (`compact`)."""
        return sid in self._compact

    def unbind(self, sid: str) -> str | None:
        """Forget `sid`; returns its person if it was still their live connection."""
        person_id = self._person_of.pop(sid, None)
        self._compact.discard(sid)
        if person_id is not None and self._sid_of.get(person_id) == sid:
            del self._sid_of[person_id]
            return person_id
        return None

    def drop_person(self, person_id: str) -> str | None:
        """Forget the person's connection (kicked, erased); returns its sid."""
        sid = self._sid_of.pop(person_id, None)
        if sid is not None:
            self._person_of.pop(sid, None)
            self._compact.discard(sid)
        return sid

    def person_of(self, sid: str) -> str | None:
        return self._person_of.get(sid)

    def sid_of(self, person_id: str) -> str | None:
        return self._sid_of.get(person_id)

    def __len__(self) -> int:
        return len(self._sid_of)
