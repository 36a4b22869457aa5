"""The media port over a pool of Janus servers (`[media] janus = ["ws://…", …]`).

Each member is a RelayEngine over one Janus. The pool decides where each
connection lives and relays feeds between members; the members do the rest.

Placement (the rule docs/media.md states):
- A member's load is the publishers plus subscribers it carries now.
- A room's call has a home: the least loaded member that is up (ties: the
  first listed) when someone first publishes or subscribes there, or, when a
  subscriber moves into a room without a call, the member that subscriber is
  already on. The home stays while anyone publishes or subscribes in the room
  and is freed when the last leaves (or its member is lost).
- A table's publishers and subscribers all live on its home.
- The stage's (`Place.stage`) speakers publish on its home (the origin); a
  listener is placed on the least loaded member (ties: the origin), and a
  listener moving onto the stage keeps the member it is on.
- A subscriber moving to a table whose home is another member cannot keep its
  PeerConnection: the pool ends it (Ended `moved`); the page subscribes again,
  on the new home.

Relays: whenever a subscriber wants a feed that is live on another member (a
stage listener on an edge), the feed is relayed from its member to the
subscriber's (janus_relay.py), once per (feed, member), and the relay is
stopped when no subscriber there wants it any more. Relays are worked out by
one owned task, in order, after every change (`_relays_changed`).

A member lost ends only its own connections (Ended `engine`); the pool is up
while any member is, and says EngineState only when that changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import time
from collections.abc import Iterable, Sequence

from rooms.errors import Conflict, KohtaamoError, NotFound
from server.media.janus_relay import RelayEngine
from server.media.port import (
    Candidate,
    Connected,
    Ended,
    EngineState,
    FeedChanged,
    IceCandidate,
    MediaEvent,
    MediaUnavailable,
    Offer,
    OfferMade,
    Pc,
    Place,
    Sends,
    Talking,
)
from server.media.sdp import check_candidate
from server.tasks import OwnedTask

log = logging.getLogger(__name__)

#: The place of a call whose engine user named none (one room per event).
NOWHERE = Place("")


@dataclasses.dataclass
class _Conn:
    """A publisher or subscriber: which member carries it, for which room."""

    member: int
    event: str
    place: Place
    #: a subscriber's wanted feeds
    wanted: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Relay:
    origin: int
    edge: int
    remote_id: str
    #: time.monotonic() when it was asked for
    started: float


class PoolEngine:
    """MediaPort over several Janus servers (see port.py for what each method promises)."""

    def __init__(self, members: Sequence[RelayEngine], *, retry: float = 2.0) -> None:
        if not members:
            raise ValueError("a pool needs at least one member")
        self.members = list(members)
        self.retry = retry
        self._events: asyncio.Queue[MediaEvent] = asyncio.Queue()
        self._homes: dict[tuple[str, str], int] = {}
        self._pubs: dict[str, _Conn] = {}
        self._subs: dict[str, _Conn] = {}
        self.relays: dict[tuple[str, int], Relay] = {}
        self._was_up = False
        self._stopping = False
        self._changed = asyncio.Event()
        self._readers = [OwnedTask(f"janus-pool-{i}", functools.partial(self._read, i))
                         for i in range(len(self.members))]
        self._relayer = OwnedTask("janus-pool-relays", self._run_relays)
        self._retries: dict[int, OwnedTask] = {}

    # --- what the pool holds (for tests, health and the benchmark) ---

    def load(self, member: int) -> int:
        """Publishers plus subscribers `member` carries now."""
        return (sum(c.member == member for c in self._pubs.values())
                + sum(c.member == member for c in self._subs.values()))

    def home(self, event: str, room: str) -> int | None:
        return self._homes.get((event, room))

    def member_of(self, person: str, pc: Pc) -> int | None:
        conn = (self._pubs if pc == "publisher" else self._subs).get(person)
        return conn.member if conn is not None else None

    # --- lifetime ---

    @property
    def up(self) -> bool:
        return any(m.up for m in self.members)

    async def start(self) -> None:
        self._stopping = False
        for i, member in enumerate(self.members):
            try:
                await member.start()
            except KohtaamoError as exc:
                log.error("janus pool: member %d (%s) did not start: %s", i,
                          member.target.url, exc)
                self._retries[i] = OwnedTask(f"janus-pool-retry-{i}",
                                             functools.partial(self._keep_trying, i))
                self._retries[i].start()
        for reader in self._readers:
            reader.start()
        self._relayer.start()
        self._was_up = self.up
        if not self._was_up:
            raise MediaUnavailable("no janus of the pool can be reached")

    async def stop(self) -> None:
        self._stopping = True
        self._changed.set()
        for task in [*self._retries.values(), self._relayer, *self._readers]:
            await task.stop()
        for member in self.members:
            await member.stop()

    async def _keep_trying(self, i: int) -> None:
        member = self.members[i]
        while not member.up and not self._stopping:
            await asyncio.sleep(self.retry)
            try:
                await member.start()
            except KohtaamoError as exc:
                log.warning("janus pool: member %d still unreachable: %s", i, exc)
        self._note_state()

    def _note_state(self) -> None:
        if self.up != self._was_up:
            self._was_up = self.up
            self._events.put_nowait(EngineState(up=self._was_up))

    async def next_event(self) -> MediaEvent:
        return await self._events.get()

    # --- placement ---

    def _least_loaded(self, prefer: int | None = None) -> int:
        up = [i for i, m in enumerate(self.members) if m.up]
        if not up:
            raise MediaUnavailable("no janus of the pool can be reached")
        return min(up, key=lambda i: (self.load(i), i != prefer, i))

    def _home(self, event: str, place: Place, mover: int | None = None) -> int:
        key = (event, place.room)
        home = self._homes.get(key)
        if home is None or not self.members[home].up:
            home = mover if mover is not None and self.members[mover].up else self._least_loaded()
            self._homes[key] = home
        return home

    def _release(self, event: str, place: Place) -> None:
        """Free the room's home when nobody publishes or subscribes there any more."""
        if not any(c.event == event and c.place.room == place.room
                   for c in (*self._pubs.values(), *self._subs.values())):
            self._homes.pop((event, place.room), None)

    def _drop(self, table: dict[str, _Conn], person: str,
              conn: _Conn | None = None) -> _Conn | None:
        """Forget `person`'s connection (only `conn`, if given) and free what it held."""
        current = table.get(person)
        if current is None or (conn is not None and current is not conn):
            return None
        del table[person]
        self._release(current.event, current.place)
        self._relays_changed()
        return current

    # --- rooms ---

    async def open_event(self, event: str) -> None:
        """Nothing to do ahead: a member's room is made when a call is placed there."""

    async def close_event(self, event: str) -> None:
        for table in (self._pubs, self._subs):
            for person in [p for p, c in table.items() if c.event == event]:
                del table[person]
        for key in [k for k in self._homes if k[0] == event]:
            del self._homes[key]
        for member in self.members:
            if member.up:
                with contextlib.suppress(KohtaamoError):
                    await member.close_event(event)
        self._relays_changed()

    # --- publishers ---

    async def publish(self, event: str, person: str, sdp: str, sends: Sends,
                      room: Place | None = None) -> str:
        if person in self._pubs:
            raise Conflict("already publishing")
        place = room or NOWHERE
        conn = self._pubs[person] = _Conn(self._home(event, place), event, place)
        try:
            return await self.members[conn.member].publish(event, person, sdp, sends, place)
        except BaseException:
            self._drop(self._pubs, person, conn)
            raise

    async def update_publisher(self, person: str, sends: Sends) -> None:
        conn = self._pubs.get(person)
        if conn is None:
            raise NotFound("not publishing")
        await self.members[conn.member].update_publisher(person, sends)

    async def unpublish(self, person: str) -> None:
        conn = self._drop(self._pubs, person)
        if conn is None:
            raise NotFound("not publishing")
        with contextlib.suppress(NotFound):
            await self.members[conn.member].unpublish(person)

    async def mute(self, person: str, muted: bool) -> None:
        """Every member keeps the mute (a later publisher anywhere is muted too)."""
        conn = self._pubs.get(person)
        for i, member in enumerate(self.members):
            try:
                await member.mute(person, muted)
            except KohtaamoError:
                if conn is not None and conn.member == i:
                    raise

    # --- subscribers ---

    async def subscribe(self, event: str, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        old = self._drop(self._subs, person)
        if old is not None:
            with contextlib.suppress(KohtaamoError):
                await self.members[old.member].unsubscribe(person)
        place = room or NOWHERE
        wanted = frozenset(feeds) - {person}
        home = self._home(event, place)
        member = self._least_loaded(prefer=home) if place.stage else home
        conn = self._subs[person] = _Conn(member, event, place, wanted)
        try:
            offer = await self.members[member].subscribe(event, person, wanted, place)
        except BaseException:
            self._drop(self._subs, person, conn)
            raise
        self._relays_changed()
        return offer

    async def set_feeds(self, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        conn = self._subs.get(person)
        if conn is None:
            raise NotFound("not subscribed")
        wanted = frozenset(feeds) - {person}
        if room is not None and room != conn.place:
            moved_to = (conn.member if room.stage and self.members[conn.member].up
                        else self._home(conn.event, room, mover=conn.member))
            if moved_to != conn.member:
                self._drop(self._subs, person, conn)
                with contextlib.suppress(KohtaamoError):
                    await self.members[conn.member].unsubscribe(person)
                self._events.put_nowait(Ended(person, "subscriber", "moved"))
                return None
            old, conn.place = conn.place, room
            self._release(conn.event, old)
        conn.wanted = wanted
        offer = await self.members[conn.member].set_feeds(person, wanted, room)
        self._relays_changed()
        return offer

    async def answer(self, person: str, offer: int, sdp: str) -> None:
        conn = self._subs.get(person)
        if conn is None:
            raise NotFound("no subscriber offer to answer")
        await self.members[conn.member].answer(person, offer, sdp)

    async def unsubscribe(self, person: str) -> None:
        conn = self._drop(self._subs, person)
        if conn is None:
            raise NotFound("not subscribed")
        with contextlib.suppress(NotFound):
            await self.members[conn.member].unsubscribe(person)

    # --- both ---

    async def trickle(self, person: str, pc: Pc, candidate: Candidate | None) -> None:
        check_candidate(candidate)
        conn = (self._pubs if pc == "publisher" else self._subs).get(person)
        if conn is None:
            raise NotFound(f"no {pc} connection")
        await self.members[conn.member].trickle(person, pc, candidate)

    async def end(self, person: str) -> None:
        held = {c.member for c in (self._drop(self._pubs, person),
                                   self._drop(self._subs, person)) if c is not None}
        for i in sorted(held):
            with contextlib.suppress(KohtaamoError):
                await self.members[i].end(person)

    # --- what the members say ---

    async def _read(self, i: int) -> None:
        member = self.members[i]
        while True:
            ev = await member.next_event()
            try:
                self._on_member(i, ev)
            except Exception:
                log.exception("janus pool: event %r of member %d", ev, i)

    def _carried(self, i: int, person: str, pc: Pc) -> _Conn | None:
        conn = (self._pubs if pc == "publisher" else self._subs).get(person)
        return conn if conn is not None and conn.member == i else None

    def _on_member(self, i: int, ev: MediaEvent) -> None:
        """Pass on what member `i` says about connections it carries; the rest is
        stale (a connection moved on) or a relayed feed's echo, and dropped."""
        if isinstance(ev, OfferMade):
            if self._carried(i, ev.offer.person, "subscriber"):
                self._events.put_nowait(ev)
        elif isinstance(ev, IceCandidate | Connected):
            if self._carried(i, ev.person, ev.pc):
                self._events.put_nowait(ev)
        elif isinstance(ev, Ended):
            conn = self._carried(i, ev.person, ev.pc)
            if conn is not None:
                self._drop(self._pubs if ev.pc == "publisher" else self._subs, ev.person, conn)
                self._events.put_nowait(ev)
        elif isinstance(ev, FeedChanged | Talking):
            if self._carried(i, ev.person, "publisher"):
                self._events.put_nowait(ev)
                self._relays_changed()
        elif isinstance(ev, EngineState):
            log.warning("janus pool: member %d (%s) %s", i, self.members[i].target.url,
                        "is back" if ev.up else "was lost")
            if not ev.up:
                for key in [k for k, r in self.relays.items() if i in (r.origin, r.edge)]:
                    del self.relays[key]  # gone with the member's state
                self._relays_changed()
            self._note_state()

    # --- relays ---

    def _relays_changed(self) -> None:
        self._changed.set()

    def _wanted_relays(self) -> set[tuple[str, int]]:
        """(feed, member) pairs where a subscriber wants a feed live on another member."""
        wanted: set[tuple[str, int]] = set()
        for sub in self._subs.values():
            for person in sub.wanted:
                pub = self._pubs.get(person)
                if (pub is not None and pub.event == sub.event and pub.member != sub.member
                        and self.members[pub.member].feed_streams(person)):
                    wanted.add((person, sub.member))
        return wanted

    async def _run_relays(self) -> None:
        # Python 3.11's wait_for can swallow a cancel that meets an answer (gh-86296):
        # the loop also ends on `_stopping`, or stop() would wait for it forever.
        while not self._stopping:
            await self._changed.wait()
            if self._stopping:
                return
            self._changed.clear()
            try:
                await self._sync_relays()
            except Exception:
                log.exception("janus pool: relays could not be brought up to date")

    async def _sync_relays(self) -> None:
        wanted = self._wanted_relays()
        for key, relay in list(self.relays.items()):
            pub = self._pubs.get(key[0])
            if key not in wanted or pub is None or pub.member != relay.origin:
                await self._stop_relay(key)
        for key in sorted(wanted - set(self.relays)):
            try:
                await self._start_relay(*key)
            except KohtaamoError as exc:
                log.warning("janus pool: relay of %s to member %d failed: %s",
                            key[0], key[1], exc)

    async def _start_relay(self, person: str, edge: int) -> None:
        pub = self._pubs[person]
        origin, target = self.members[pub.member], self.members[edge]
        streams = origin.feed_streams(person) or []
        began = time.monotonic()
        ports = await target.add_remote(pub.event, person, streams)
        remote_id = f"kohtaamo-{edge}-{ports[0]}"
        try:
            await origin.publish_remotely(person, remote_id, target.relay_host, ports)
        except BaseException:
            await target.remove_remote(person)
            raise
        self.relays[(person, edge)] = Relay(pub.member, edge, remote_id, began)
        log.info("janus pool: relaying %s from member %d to %d (%s:%d)", person, pub.member,
                 edge, target.relay_host, ports[0])

    async def _stop_relay(self, key: tuple[str, int]) -> None:
        relay = self.relays.pop(key)
        person = key[0]
        if self.members[relay.origin].up:
            await self.members[relay.origin].unpublish_remotely(person, relay.remote_id)
        if self.members[relay.edge].up:
            await self.members[relay.edge].remove_remote(person)
        log.info("janus pool: stopped relaying %s to member %d", person, relay.edge)

