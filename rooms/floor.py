"""The floor of one event: who is in which room, where they stand, and what they say.

`Floor` owns the in-memory state of one event and its everyday operations
(connect, enter, move, say, whisper, wave, status). Cards (`rooms.cards`) and
staff actions (`rooms.staff`) each hold a floor and use only its public methods;
`rooms.event.Event` builds the three and is what the server talks to.

Rules that keep it clean:
- every operation takes `now` (epoch ms) instead of reading a clock;
- an operation checks everything first and raises before it changes anything,
  so a failed request changes nothing;
- it returns an `Outbox` of messages for the server to deliver and never sends.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from rooms.changes import Positions, Presence
from rooms.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    RoomClosed,
    RoomFull,
)
from rooms.model import Person, Role, Room, RoomKind, Seat, Settings, Timer, Visit
from rooms.outbound import (
    EndSession,
    Message,
    Outbox,
    Relocate,
    Result,
    ToEvent,
    ToPerson,
    ToRoom,
)
from rooms.ratelimit import DEFAULT_RATES, Limits, Rate, TokenBucket
from rooms.seating import Seating
from rooms.spacing import Point, nudge, spot, spots


class Floor:
    def __init__(
        self,
        slug: str,
        title: str,
        *,
        lobby: Room,
        description: str = "",
        code: str = "",
        settings: Settings | None = None,
        rates: Mapping[str, Rate] | None = None,
        capacity: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if lobby.kind is not RoomKind.LOBBY:
            raise ValueError("the first room of an event must be its lobby")
        self.slug = slug
        self.title = title
        self.description = description
        self.code = code
        self.capacity = capacity
        self.settings = settings or Settings()
        self.limits = Limits({**DEFAULT_RATES, **(rates or {})})
        self.lobby = lobby
        self.rooms: dict[str, Room] = {lobby.id: lobby}
        self.people: dict[str, Person] = {}
        self.timer: Timer | None = None
        self._seq = 0
        # people whose connection dropped, and when: expired after the grace period
        self._dropped: dict[str, int] = {}
        # what the tick sends: moves to flush, presence changes (`rooms.changes`)
        self._positions = Positions()
        self._presence = Presence()
        # who entered and left which room, for the organizer report (`drain_visits`)
        self._visits: list[Visit] = []
        # who sits where, for storage (`rooms.seating`)
        self.seating = Seating(self.rooms, self.people)
        # attendees who joined and never connected, oldest first, and when they
        # joined: `purge_unconnected` forgets them, looking only at the oldest
        self._awaiting: OrderedDict[str, int] = OrderedDict()
        # people under a timed mute (`expire_mutes` looks only at these)
        self.timed_mutes: set[str] = set()
        # joins to the whole event, whatever their address (`[limits] event_join`)
        self._joins = TokenBucket.full(self.limits.rates["event_join"], 0)
        self.connected_count = 0
        self.peak_connected = 0
        # where newcomers stand (`rooms.spacing.spot`); seeded, so a run repeats
        self.rng = rng or random.Random(slug)

    # --- set-up ----------------------------------------------------------------

    def add_room(self, room: Room) -> None:
        if room.id in self.rooms:
            raise ValueError(f"duplicate room id {room.id}")
        self.rooms[room.id] = room

    def add_person(self, person: Person, *, awaiting_since: int | None = None) -> None:
        """Register someone who joined (or was loaded from storage); not yet on the floor.
        `awaiting_since`: when an attendee who never connected joined; unless they
        connect, `purge_unconnected` forgets them `unconnected_ms` after it."""
        self.people[person.id] = person
        if awaiting_since is not None and person.role is Role.ATTENDEE:
            self._awaiting[person.id] = awaiting_since
        if person.muted and person.muted_until is not None:
            self.timed_mutes.add(person.id)

    def admit_join(self, now: int) -> None:
        """May one more person join? Raises Conflict when the event already holds
        `max_people`, RateLimited when joins to the event come faster than
        `[limits] event_join` (from every address together)."""
        limit = self.settings.max_people
        if limit is not None and len(self.people) >= limit:
            raise Conflict("this event takes no more people")
        if not self._joins.take(now):
            raise RateLimited("too many people are joining right now; try again in a moment")

    def purge_unconnected(self, now: int) -> list[str]:
        """Forget attendees who joined `unconnected_ms` ago or more and never
        connected. Returns their ids, for the server to delete from storage (so
        their tokens stop working). Costs nothing when none is due."""
        gone: list[str] = []
        cutoff = now - self.settings.unconnected_ms
        while self._awaiting:
            person_id, since = next(iter(self._awaiting.items()))
            if since > cutoff:
                break
            del self._awaiting[person_id]
            person = self.people.get(person_id)
            if person is None or person.connected or person.present:
                continue
            del self.people[person_id]
            self.timed_mutes.discard(person_id)
            self.limits.forget(person_id)
            gone.append(person_id)
        return gone

    # --- lookups ---------------------------------------------------------------

    def person(self, person_id: str) -> Person:
        try:
            return self.people[person_id]
        except KeyError:
            raise NotFound("no such person") from None

    def present(self, person_id: str) -> Person:
        """Someone on the floor right now (connected or within the grace period)."""
        person = self.people.get(person_id)
        if person is None or not person.present:
            raise NotFound("that person is not here")
        return person

    def room(self, room_id: str) -> Room:
        try:
            return self.rooms[room_id]
        except KeyError:
            raise NotFound("no such room") from None

    def next_id(self, prefix: str, now: int) -> str:
        self._seq += 1
        return f"{prefix}{now:x}{self._seq:x}"

    def room_of(self, person: Person) -> Room:
        """The room the person is in. Raises BadRequest when they are in none."""
        if person.room is None:
            raise BadRequest("you are not in a room")
        return self.rooms[person.room]

    def check_rate(self, person: Person, action: str, now: int) -> None:
        """Count one `action` of the person (`rooms.ratelimit`). Raises RateLimited."""
        if not self.limits.allow(person.id, action, now):
            raise RateLimited("too many requests; slow down")

    def admit(self) -> None:
        """Raise Conflict when as many people are connected as the event holds."""
        if self.capacity is not None and self.connected_count >= self.capacity:
            raise Conflict("the event is full right now; please try again a little later")

    # --- connections -------------------------------------------------------------

    def connect(self, person_id: str, now: int) -> tuple[bool, Outbox]:
        """A live connection arrived. Returns (resumed, outbox).

        Someone still on the floor (within grace, or replacing another
        connection) resumes their room and position and nobody hears of it;
        anyone else starts in the lobby.
        """
        person = self.person(person_id)
        self._awaiting.pop(person_id, None)
        if not person.connected:
            self.connected_count += 1
            self.peak_connected = max(self.peak_connected, self.connected_count)
        person.connected = True
        self._dropped.pop(person_id, None)
        if person.room is not None:
            return True, [Relocate(person_id, None, person.room)]
        return False, self._seat(person, self.lobby, now)

    def disconnect(self, person_id: str, now: int) -> None:
        """The live connection dropped: the grace period starts, nobody is told yet."""
        person = self.people.get(person_id)
        if person is None or not person.connected:
            return
        person.connected = False
        self.connected_count -= 1
        person.dropped_at = now
        self._dropped[person_id] = now

    def expire(self, now: int) -> Outbox:
        """Everyone whose grace period has passed leaves the floor."""
        out: Outbox = []
        grace = self.settings.grace_ms
        for person_id, dropped in list(self._dropped.items()):
            if now - dropped >= grace:
                del self._dropped[person_id]
                out += self.leave_floor(self.people[person_id], now)
        return out

    def restore_seat(self, seat: Seat, now: int) -> bool:
        """Seat someone where storage last saw them, in grace from `now` (a restart);
        nobody is told. A room gone since means the lobby. False: unknown or seated."""
        person = self.people.get(seat.person)
        if person is None or person.room is not None:
            return False
        room = self.rooms.get(seat.room, self.lobby)
        w, h = self.settings.room_size
        room.place(person.id, (min(max(seat.x, 0), w), min(max(seat.y, 0), h)))
        person.room = room.id
        person.dropped_at = self._dropped[person.id] = now
        if room.id != seat.room:
            self.seating.changed(person.id)
        return True

    def leave_floor(self, person: Person, now: int) -> Outbox:
        """Take someone off the floor now (grace over, kicked, erased): they leave
        their room, count as gone in the next presence, and their rate limits go."""
        if person.connected:
            self.connected_count -= 1
        out = self._unseat(person, now)
        person.connected = False
        person.dropped_at = None
        self._dropped.pop(person.id, None)
        self._presence.left_floor(person.id)
        self.limits.forget(person.id)
        return out

    # --- rooms -------------------------------------------------------------------

    def enter(self, person_id: str, room_id: str, now: int) -> Result:
        """Move to another room. Reply `{room: RoomDetail}`.

        Raises NotFound, RoomClosed, RoomFull (staff may enter closed and full
        tables), RateLimited.
        """
        person = self.present(person_id)
        room = self.room(room_id)
        if person.room == room.id:
            return Result({"room": room.detail()})
        if not person.role.is_staff:
            if not room.open:
                raise RoomClosed("this table is closed")
            if room.is_full:
                raise RoomFull("this table is full")
        self.check_rate(person, "enter", now)
        out = self._seat(person, room, now)
        return Result({"room": room.detail()}, out)

    def _unseat(self, person: Person, now: int) -> Outbox:
        if person.room is None:
            return []
        old = self.rooms[person.room]
        self._visits.append(Visit(person.id, old.id, entered=False, at=now))
        old.remove(person.id)
        person.room = None
        self.seating.changed(person.id)
        self._presence.touch(rooms=[old.id])
        return [
            Relocate(person.id, old.id, None),
            Message(self._to_members(old.id, person.id), "room:left",
                    {"room": old.id, "person": person.id}),
        ]

    def _to_members(self, room_id: str, person_id: str) -> ToRoom:
        """Who hears one person's `room:joined` / `room:left`: every other member, or
        with `room_changes` those who take no `room:changes` (the next flush's)."""
        if not self.settings.room_changes:
            return ToRoom(room_id, exclude=person_id)
        self._positions.came_or_went(room_id, person_id)
        return ToRoom(room_id, exclude=person_id, compact=False)

    def _seat(self, person: Person, room: Room, now: int, at: Point | None = None) -> Outbox:
        out = self._unseat(person, now)
        self._visits.append(Visit(person.id, room.id, entered=True, at=now))
        x, y = spot(room.occupants, room.grid, self.settings.room_size,
                    self.rng) if at is None else at
        room.place(person.id, (x, y))
        person.room = room.id
        self.seating.changed(person.id)
        self._presence.seated(person.id, room.id)
        out += [
            Relocate(person.id, None, room.id),
            Message(self._to_members(room.id, person.id), "room:joined",
                    {"room": room.id, "person": person.wire(), "x": x, "y": y}),
        ]
        return out

    def seat(self, person: Person, room: Room, now: int) -> Outbox:
        """Seat someone at `room` on the floor's own say (a networking round), telling
        the room; the caller tells the person."""
        return self._seat(person, room, now)

    def remove_room(self, room_id: str, now: int) -> Outbox:
        """Take a table off the floor (a round's own tables): whoever is still there
        goes to the lobby, and the next presence lists it in `rooms_gone`."""
        room = self.room(room_id)
        if room.kind is RoomKind.LOBBY:
            raise BadRequest("the lobby cannot be removed")
        out: Outbox = []
        for person_id in list(room.occupants):
            out += self.move_to(self.people[person_id], self.lobby, "room_closed", None, now)
        del self.rooms[room_id]
        self._positions.forget(room_id)
        self._presence.room_removed(room_id)
        return out

    def move_to(
        self, person: Person, room: Room, reason: str, by: str | None, now: int,
    ) -> Outbox:
        """Seat someone elsewhere on another's say (staff, closing, recall) and tell them."""
        out = self._seat(person, room, now)
        out.append(Message(ToPerson(person.id), "moved",
                           {"room": room.detail(), "reason": reason, "by": by}))
        return out

    def move_all_to(
        self, people: list[Person], room: Room, reason: str, by: str | None, now: int,
    ) -> Outbox:
        """`move_to` for many (a recall), in O(movers), not their square: each
        `room:joined` goes out while no mover is in the room's channel (only those
        already there hear it); then every mover's `moved`, all one data object
        (the room after everyone: delivery sends one emit), then they enter it."""
        leaving: Outbox = []
        joined: Outbox = []
        entering: list[Relocate] = []
        places = spots(room.occupants, room.grid, self.settings.room_size, self.rng)
        for person in people:
            for item in self._seat(person, room, now, next(places)):
                if isinstance(item, Relocate) and item.entered is not None:
                    entering.append(item)
                elif isinstance(item, Message) and item.name == "room:joined":
                    # to all there, compact or not: the room's next `room:changes`
                    # would list all the movers to each of them, movers too (N²)
                    joined.append(Message(ToRoom(room.id, exclude=person.id), item.name,
                                          item.data))
                else:
                    leaving.append(item)
        self._positions.told(room.id, [p.id for p in people])
        moved = {"room": room.detail(), "reason": reason, "by": by}
        return [*leaving, *joined,
                *(Message(ToPerson(p.id), "moved", moved) for p in people), *entering]

    # --- movement ----------------------------------------------------------------

    def move(self, person_id: str, x: float, y: float, now: int) -> bool:
        """Record the latest point (False: dropped for coming too fast)."""
        person = self.people.get(person_id)
        if person is None or person.room is None or not person.connected:
            return True
        if not self.limits.allow(person_id, "move", now):
            return False
        size = w, h = self.settings.room_size
        point = (round(min(max(x, 0.0), w)), round(min(max(y, 0.0), h)))
        room = self.rooms[person.room]
        # a step onto someone ends beside them (the mover hears it in `positions`)
        point = nudge(room.occupants, room.grid, person_id, point, size)
        if point == room.occupants.get(person_id):
            return True  # a step that stays put: nothing to tell the room
        room.place(person_id, point)
        room.pending[person_id] = point
        self._positions.moved(room.id)
        return True

    def move_now(self, person_id: str, x: float, y: float, now: int) -> Outbox:
        """Benchmark only (`naive_moves`): `move`, then this point to the room at once."""
        self.move(person_id, x, y, now)
        person = self.people.get(person_id)
        room = self.rooms.get(person.room) if person and person.room else None
        point = room.pending.pop(person_id, None) if room else None
        if room is None or point is None:
            return []
        return [Message(ToRoom(room.id), "positions",
                        {"room": room.id, "ts": now, "p": [[person_id, *point]]})]

    def flush_positions(self, now: int, part: int = 0, parts: int = 1) -> Outbox:
        """One `positions` message per room where someone moved since its last flush,
        only the rooms of slice `part` of `parts` (`rooms.changes.Positions.flush`)."""
        return self._positions.flush(self.rooms, now, part, parts, self.people)

    def forget_lines(self, person_id: str) -> None:
        """Drop the person's lines from every room's chat history (erasure): nobody
        who enters later is sent their name or words."""
        for room in self.rooms.values():
            if any(line["from"] == person_id for line in room.chat):
                kept = [line for line in room.chat if line["from"] != person_id]
                room.chat.clear()
                room.chat.extend(kept)

    def drain_visits(self) -> list[Visit]:
        """Room entries and exits since the last call, oldest first, for the report."""
        visits, self._visits = self._visits, []
        return visits

    # --- presence ----------------------------------------------------------------

    def touch(self, people: Iterable[str] = (), rooms: Iterable[str] = ()) -> None:
        """Mark people or rooms as changed for the next presence message."""
        self._presence.touch(people, rooms)

    def presence(self, now: int) -> Outbox:
        """What changed since the last call, as one event-wide message (or nothing)."""
        data = self._presence.drain(self.people, self.rooms)
        return [] if data is None else [Message(ToEvent(self.slug), "presence", data)]

    # --- for the parts that hold a floor (cards, staff) -------------------------------

    def require_role(self, person: Person, *roles: Role) -> None:
        """Raise Forbidden unless the person's stored role is one of `roles`."""
        if person.role not in roles:
            raise Forbidden("your role does not allow this")

    def end_session(
        self, person: Person, name: str | None, data: Any, reason: str, now: int,
    ) -> Outbox:
        """Tell the person why (unless `name` is None), close their connection and take
        them off the floor."""
        out: Outbox = [Message(ToPerson(person.id), name, data)] if name else []
        out.append(EndSession(person.id, reason))
        out += self.leave_floor(person, now)
        return out

    def to_all(self, name: str, data: Any) -> Message:
        """A message to everyone in the event."""
        return Message(ToEvent(self.slug), name, data)
