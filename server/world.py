"""The world this process owns: every event's in-memory `Event`, loaded from storage.

This is the seam for running several processes: each event is owned by exactly
one process, and everything that reads or changes an event goes through
`World.event(slug)` or `World.event_of(person)`. Storage is the only state
shared between processes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from rooms.errors import Banned, Conflict, NotFound, Unauthorized
from rooms.event import Event
from rooms.languages import DEFAULT_LANGUAGE, pick
from rooms.met import MetTracker
from rooms.model import Person, Role, Room, RoomKind, Settings
from rooms.profile import Profile
from server.config import Config
from server.store.storage import Storage, profile_from_json, texts_from_json
from server.tokens import hash_token, new_token

log = logging.getLogger(__name__)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class World:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._storage: Storage | None = None
        self.events: dict[str, Event] = {}
        self._event_of: dict[str, str] = {}
        self._card_locks: dict[str, asyncio.Lock] = {}
        #: people forgotten in memory whose rows are being deleted (`purge_unconnected`)
        self._purging: set[str] = set()
        #: Events whose people retention erased (server/retention.py): no new attendees.
        self.archived: set[str] = set()
        self._staff_locks: dict[str, asyncio.Lock] = {}

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the world has not been loaded")
        return self._storage

    async def load(self, storage: Storage) -> None:
        """Create configured events on first start, then load every event into memory.

        Reads only: open visits stay as they are (`serve` closes them as it
        starts, server.app), so loading beside a live server changes nothing of it.
        """
        self._storage = storage
        await ensure_events(storage, self.config)
        settings = Settings(
            room_size=self.config.room_size,
            grace_ms=round(self.config.grace_seconds * 1000),
            tick_hz=self.config.tick_hz,
            presence_hz=self.config.presence_hz,
            max_people=self.config.max_people_per_event,
            unconnected_ms=round(self.config.purge_unconnected_seconds * 1000),
            bulk_moves=self.config.tuning.bulk_recall,
            room_changes=self.config.tuning.room_changes,
        )
        for slug in await self.storage.event_slugs():
            await self._load_event(slug, settings)
        self.archived = await self.storage.retention.archived_slugs()

    async def _load_event(self, slug: str, settings: Settings) -> None:
        row = await self.storage.event(slug)
        assert row is not None
        language = next((e.language for e in self.config.events if e.slug == slug),
                        DEFAULT_LANGUAGE)
        rooms = [_room_from_row(r, language) for r in await self.storage.rooms_of(slug)]
        lobby = next(r for r in rooms if r.kind is RoomKind.LOBBY)
        event = Event(
            slug, row["title"], lobby=lobby, description=row["description"], code=row["code"],
            settings=settings, rates=self.config.rates,
            capacity=next((e.capacity for e in self.config.events if e.slug == slug), None),
            card_limits=self.config.cards, language=language,
            met=MetTracker(met_after_ms=round(self.config.met_after_seconds * 1000),
                           distance=self.config.media.hearing_full),
        )
        for room in rooms:
            if room is not lobby:
                event.add_room(room)
        seen = await self.storage.ever_connected(slug)
        for p in await self.storage.people_of(slug):  # oldest first
            awaiting = None if p["id"] in seen else p["created_at"]
            self._register(event, self._person_from_row(p), awaiting)
        for person_id, version in (await self.storage.photos.versions(slug)).items():
            if person_id in event.people:
                event.people[person_id].photo = version
        # Back where they sat before a restart, in grace from now (contract v1.1).
        now = now_ms()
        for seat in await self.storage.seats.load(slug):
            event.restore_seat(seat, now)
        await self.storage.cards.restore(event)
        await self.storage.staff.restore(event)
        event.rounds.tracker.know(await self.storage.met.pairs(slug))
        self.events[slug] = event

    @staticmethod
    def _person_from_row(row: Any) -> Person:
        return Person(
            id=row["id"], role=Role(row["role"]), profile=profile_from_json(row["profile"]),
            muted=bool(row["muted"]), muted_until=row["muted_until"],
            banned=bool(row["banned"]),
        )

    def _register(self, event: Event, person: Person, awaiting_since: int | None = None) -> None:
        event.add_person(person, awaiting_since=awaiting_since)
        self._event_of[person.id] = event.slug

    def event(self, slug: str) -> Event:
        try:
            return self.events[slug]
        except KeyError:
            raise NotFound("no such event") from None

    def event_of(self, person_id: str) -> Event:
        return self.events[self._event_of[person_id]]

    def forget(self, person_id: str) -> None:
        slug = self._event_of.pop(person_id, None)
        if slug is not None:
            self.events[slug].people.pop(person_id, None)

    async def add_person(
        self, slug: str, role: Role, profile: Profile,
    ) -> tuple[str, Person]:
        """Store a new person with a fresh token. Returns (token, person).

        Raises Conflict for an attendee of an archived event (staff may still be
        added, to read its report)."""
        event = self.event(slug)
        if role is Role.ATTENDEE and slug in self.archived:
            raise Conflict("this event is over")
        token = new_token()
        person_id = await self.storage.create_person(
            slug, role, profile, hash_token(token), now_ms()
        )
        person = Person(id=person_id, role=role, profile=profile)
        self._register(event, person, now_ms())
        return token, person

    async def purge_unconnected(self, event: Event, now: int) -> int:
        """Forget the event's attendees who joined long ago and never connected,
        in memory and in storage (their tokens stop working). Returns how many."""
        gone = event.purge_unconnected(now)
        if gone:
            for person_id in gone:
                self._event_of.pop(person_id, None)
            # A token read before the delete must not bring the person back as
            # "created by another process" (see `authenticate`).
            self._purging.update(gone)
            try:
                await self.storage.delete_unconnected(gone)
            finally:
                self._purging.difference_update(gone)
            log.info("forgot %d people of %s who joined and never connected",
                     len(gone), event.slug)
        return len(gone)

    async def authenticate(
        self, token: object, *, allow_banned: bool = False,
    ) -> tuple[Event, Person]:
        """The event and person a bearer token belongs to. Raises Unauthorized, Banned
        (unless `allow_banned`: a banned person may still read, export and erase
        their own data)."""
        if not isinstance(token, str) or not 16 <= len(token) <= 200:
            raise Unauthorized("a valid token is required")
        row = await self.storage.person_by_token(hash_token(token))
        if row is None:
            raise Unauthorized("unknown or erased token")
        if row["banned"] and not allow_banned:
            raise Banned("you have been removed from this event")
        slug = self._event_of.get(row["id"])
        if slug is None:
            # Created by another process, such as `kohtaamo staff add` while serving.
            if row["event"] not in self.events or row["id"] in self._purging:
                raise Unauthorized("unknown or erased token")
            self._register(self.events[row["event"]], self._person_from_row(row))
            slug = row["event"]
        event = self.events[slug]
        return event, event.people[row["id"]]

    async def save_met(self, event: Event) -> None:
        """Write the meetings the event's rounds made since the last call."""
        met = event.rounds.drain_met()
        if met:
            rooms = event.rooms
            await self.storage.met.save(
                event.slug, [(m, rooms[m.room].title if m.room in rooms else "") for m in met])

    def card_lock(self, slug: str) -> asyncio.Lock:
        """Card operations of one event run one at a time."""
        return self._card_locks.setdefault(slug, asyncio.Lock())

    def staff_lock(self, slug: str) -> asyncio.Lock:
        """Staff actions of one event run one at a time (plan, commit, apply)."""
        return self._staff_locks.setdefault(slug, asyncio.Lock())


def _room_from_row(row: Any, language: str) -> Room:
    """A stored room; its plain title and theme follow the event's language (issue 12),
    so changing `language` in config.toml changes what clients of the contract read."""
    titles, themes = texts_from_json(row["titles"]), texts_from_json(row["themes"])
    return Room(
        id=row["id"], title=pick(titles, language, row["title"]),
        theme=pick(themes, language, row["theme"]),
        kind=RoomKind(row["kind"]), open=bool(row["open"]), capacity=row["capacity"],
        titles=titles, themes=themes,
    )


async def ensure_events(storage: Storage, config: Config) -> None:
    """Create the configured events that the database does not have yet."""
    now = now_ms()
    for ev in config.events:
        created = await storage.ensure_event(
            ev.slug, ev.title, ev.description, ev.code,
            [(r.title, r.theme, r.capacity, r.titles, r.themes) for r in ev.rooms], now,
        )
        if created:
            log.info("created event %s with %d tables", ev.slug, len(ev.rooms))
