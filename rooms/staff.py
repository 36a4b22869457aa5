"""Host and moderator actions on the floor, and attendees' flags (issue 4).

Every staff operation authorises the actor from their stored role (never from
the payload), checks its target and input, and only then changes anything. It
returns an `Action`: what goes into the moderation log, the ack's extra fields
and the outbox. The server writes the log row (and whatever must be durable)
before it delivers the outbox.

Who may act on whom: `Role.outranks`. A moderator acts on attendees; a host on
moderators and attendees; nobody on themselves or on a host.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rooms.errors import BadRequest, Conflict, Forbidden, NotFound
from rooms.floor import Floor
from rooms.model import Person, Role, Room, RoomKind, Timer
from rooms.outbound import Message, Outbox, ToPerson, ToStaff

HOSTS = (Role.HOST,)
MODERATORS = (Role.MODERATOR, Role.HOST)


@dataclasses.dataclass(frozen=True, slots=True)
class Action:
    """What one staff operation did.

    `action`, `target` and `detail` form the moderation log row (with the actor
    and `at`); `reply` holds the ack's extra fields; `out` what to deliver.
    """

    at: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    reply: dict[str, Any]
    out: Outbox

    def log_entry(self) -> dict[str, Any]:
        return {"at": self.at, "actor": self.actor, "action": self.action,
                "target": self.target, "detail": self.detail}


class Staff(Floor):
    """What hosts and moderators may do, on top of the floor."""

    # --- authorisation -------------------------------------------------------------

    def _staff(self, actor_id: str, roles: tuple[Role, ...]) -> Person:
        """The acting person, if their stored role allows the action. Raises Forbidden."""
        actor = self.person(actor_id)
        self.require_role(actor, *roles)
        return actor

    def _subject(self, actor: Person, person_id: str) -> Person:
        """The person a moderation action aims at. Raises NotFound, Forbidden."""
        target = self.person(person_id)
        if not actor.role.outranks(target.role):
            if target.id == actor.id:
                raise Forbidden("you cannot do this to yourself")
            raise Forbidden(f"a {actor.role.value} cannot act on a {target.role.value}")
        return target

    def _table(self, room_id: str) -> Room:
        room = self.room(room_id)
        if room.kind is RoomKind.LOBBY:
            raise BadRequest("the lobby cannot be closed", field="room")
        return room

    def _done(
        self, actor: Person, action: str, target: str | None, now: int, *,
        detail: dict[str, Any] | None = None, reply: dict[str, Any] | None = None,
        out: Outbox | None = None,
    ) -> Action:
        return Action(now, actor.id, action, target, detail or {}, reply or {}, out or [])

    # --- hosts: tables ---------------------------------------------------------------

    def create_room(
        self, actor_id: str, title: str, theme: str, capacity: int | None, now: int,
    ) -> Action:
        """A new open table; reply `{room}`. Raises Forbidden, RateLimited."""
        actor = self._staff(actor_id, HOSTS)
        self._check_rate(actor, "staff", now)
        room = Room(self.next_id("r_", now), title, theme, capacity=capacity)
        self.add_room(room)
        self.touch(rooms=[room.id])
        return self._done(actor, "room:create", room.id, now,
                          detail={"title": title, "theme": theme, "capacity": capacity},
                          reply={"room": room.wire()})

    def update_room(
        self, actor_id: str, room_id: str, now: int, *, title: str | None = None,
        theme: str | None = None, capacity: int | None = None, set_capacity: bool = False,
    ) -> Action:
        """Rename, re-theme or resize a room; reply `{room}`.

        Seated people stay even when the new capacity is lower. The lobby takes
        no capacity. Raises Forbidden, NotFound, BadRequest, RateLimited.
        """
        actor = self._staff(actor_id, HOSTS)
        room = self.room(room_id)
        if set_capacity and capacity is not None and room.kind is RoomKind.LOBBY:
            raise BadRequest("the lobby has no capacity limit", field="capacity")
        self._check_rate(actor, "staff", now)
        detail: dict[str, Any] = {}
        if title is not None:
            detail["title"] = room.title = title
        if theme is not None:
            detail["theme"] = room.theme = theme
        if set_capacity:
            detail["capacity"] = room.capacity = capacity
        self.touch(rooms=[room.id])
        return self._done(actor, "room:update", room.id, now, detail=detail,
                          reply={"room": room.wire()})

    def open_room(self, actor_id: str, room_id: str, now: int) -> Action:
        """Open a table; reply `{room}`. Raises Forbidden, NotFound, RateLimited."""
        actor = self._staff(actor_id, HOSTS)
        room = self.room(room_id)
        self._check_rate(actor, "staff", now)
        room.open = True
        self.touch(rooms=[room.id])
        return self._done(actor, "room:open", room.id, now, reply={"room": room.wire()})

    def close_room(self, actor_id: str, room_id: str, now: int) -> Action:
        """Close a table and move everyone seated there to the lobby (`room_closed`).

        Reply `{room}`. Raises Forbidden, NotFound, BadRequest (the lobby), RateLimited.
        """
        actor = self._staff(actor_id, HOSTS)
        room = self._table(room_id)
        self._check_rate(actor, "staff", now)
        room.open = False
        out: Outbox = []
        seated = list(room.occupants)
        for person_id in seated:
            out += self.move_to(self.people[person_id], self.lobby, "room_closed",
                                actor.profile.name, now)
        self.touch(rooms=[room.id])
        return self._done(actor, "room:close", room.id, now, detail={"moved": len(seated)},
                          reply={"room": room.wire()}, out=out)

    # --- hosts: the whole event ------------------------------------------------------

    def announce(self, actor_id: str, text: str, now: int) -> Action:
        """Everyone in the event gets `announcement`; reply `{announcement}`."""
        actor = self._staff(actor_id, HOSTS)
        self._check_rate(actor, "staff", now)
        message = {"id": self.next_id("a_", now), "from": actor.id,
                   "name": actor.profile.name, "text": text, "ts": now}
        return self._done(actor, "announce", None, now, detail={"text": text},
                          reply={"announcement": message},
                          out=[self.to_all("announcement", message)])

    def set_timer(self, actor_id: str, seconds: int, label: str, now: int) -> Action:
        """Start or replace the event's timer; everyone gets `timer`; reply `{timer}`."""
        actor = self._staff(actor_id, HOSTS)
        self._check_rate(actor, "staff", now)
        self.timer = Timer(label, now + seconds * 1000)
        wire = self.timer.wire()
        return self._done(actor, "timer:set", None, now,
                          detail={"seconds": seconds, "label": label, "ends_at": wire["ends_at"]},
                          reply={"timer": wire}, out=[self.to_all("timer", wire)])

    def clear_timer(self, actor_id: str, now: int) -> Action:
        """Stop the timer; everyone gets `timer` with null."""
        actor = self._staff(actor_id, HOSTS)
        self._check_rate(actor, "staff", now)
        self.timer = None
        return self._done(actor, "timer:clear", None, now, out=[self.to_all("timer", None)])

    def recall(self, actor_id: str, now: int) -> Action:
        """Move every attendee on the floor who is not in the lobby there (`recall`).

        Staff stay where they are. Reply `{moved: n}`.
        """
        actor = self._staff(actor_id, HOSTS)
        self._check_rate(actor, "staff", now)
        out: Outbox = []
        moved = 0
        for person in list(self.people.values()):
            if person.role.is_staff or not person.present or person.room == self.lobby.id:
                continue
            out += self.move_to(person, self.lobby, "recall", actor.profile.name, now)
            moved += 1
        return self._done(actor, "recall", None, now, detail={"moved": moved},
                          reply={"moved": moved}, out=out)

    # --- moderators ------------------------------------------------------------------

    def mute(self, actor_id: str, person_id: str, minutes: int | None, now: int) -> Action:
        """Silence someone (for `minutes`, or until unmuted); they get `muted`.

        Reply `{until}`. Raises Forbidden, NotFound, RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self._check_rate(actor, "staff", now)
        until = None if minutes is None else now + minutes * 60_000
        target.muted, target.muted_until = True, until
        if until is None:
            self._timed_mutes.discard(target.id)
        else:
            self._timed_mutes.add(target.id)
        self.touch(people=[target.id])
        return self._done(
            actor, "mod:mute", target.id, now, detail={"minutes": minutes, "until": until},
            reply={"until": until},
            out=[Message(ToPerson(target.id), "muted",
                         {"until": until, "by": actor.profile.name})],
        )

    def unmute(self, actor_id: str, person_id: str, now: int) -> Action:
        """Let someone talk again; they get `unmuted`."""
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self._check_rate(actor, "staff", now)
        target.muted, target.muted_until = False, None
        self._timed_mutes.discard(target.id)
        self.touch(people=[target.id])
        return self._done(actor, "mod:unmute", target.id, now,
                          out=[Message(ToPerson(target.id), "unmuted",
                                       {"by": actor.profile.name})])

    def expire_mutes(self, now: int) -> Outbox:
        """Lift every timed mute whose time has passed; each person gets `unmuted`.
        Looks only at people under a timed mute, not at everyone, every tick."""
        out: Outbox = []
        for person_id in list(self._timed_mutes):
            person = self.people.get(person_id)
            if person is None or not person.muted or person.muted_until is None:
                self._timed_mutes.discard(person_id)
                continue
            if now < person.muted_until:
                continue
            self._timed_mutes.discard(person_id)
            person.muted, person.muted_until = False, None
            self.touch(people=[person.id])
            out.append(Message(ToPerson(person.id), "unmuted", {"by": None}))
        return out

    def moderator_move(self, actor_id: str, person_id: str, room_id: str, now: int) -> Action:
        """Seat someone on the floor in another room; they get `moved` (`moderator`).

        Capacity is not enforced, and closed tables are allowed (a word aside).
        Reply `{room: RoomDetail}`. Raises Forbidden, NotFound, RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        room = self.room(room_id)
        if not target.present:
            raise NotFound("that person is not here", field="person")
        self._check_rate(actor, "staff", now)
        origin = target.room
        out: Outbox = []
        if target.room != room.id:
            out = self.move_to(target, room, "moderator", actor.profile.name, now)
        return self._done(actor, "mod:move", target.id, now,
                          detail={"from": origin, "room": room.id},
                          reply={"room": room.detail()}, out=out)

    def kick(self, actor_id: str, person_id: str, reason: str, ban: bool, now: int) -> Action:
        """Remove someone: they get `kicked` and their connection is closed.

        With `ban` the server must also refuse their token from now on (storage).
        Raises Forbidden, NotFound, RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self._check_rate(actor, "staff", now)
        out = self.end_session(target, "kicked", {"reason": reason},
                               "banned" if ban else "kicked", now)
        if ban:
            target.banned = True
        return self._done(actor, "mod:kick", target.id, now,
                          detail={"reason": reason, "ban": ban}, out=out)

    def unban(self, actor_id: str, person_id: str, now: int) -> Action:
        """Lift a ban: the person's link works again (the server clears it in storage).

        Raises Forbidden (rank as for a kick), NotFound, Conflict (not banned),
        RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        if not target.banned:
            raise Conflict("that person is not banned", field="person")
        self._check_rate(actor, "staff", now)
        target.banned = False
        return self._done(actor, "mod:unban", target.id, now)

    # --- everyone: flags -------------------------------------------------------------

    def flag(
        self, person_id: str, about: str, reason: str, now: int,
    ) -> tuple[dict[str, Any], Outbox]:
        """Ask moderators to look at someone; returns (flag, outbox: `flag:new` to staff).

        Raises NotFound, BadRequest (oneself), RateLimited.
        """
        person = self.person(person_id)
        target = self.person(about)
        if target.id == person.id:
            raise BadRequest("you cannot flag yourself", field="person")
        self._check_rate(person, "flag", now)
        flag = {"flag": self.next_id("f_", now), "from": person.id, "person": target.id,
                "reason": reason, "at": now}
        return flag, [Message(ToStaff(self.slug), "flag:new", flag)]

