"""Host and moderator actions on the floor, and attendees' flags (issue 4).

Every staff operation authorises the actor from their stored role (never from
the payload) and checks its target and input, changing nothing: it returns an
`Action`, the decision. The server commits the decision and its moderation log
row in one transaction, and only then calls `Action.apply()`, which changes
memory and returns the `Result` to deliver (plan → commit → apply, as card
exchanges are). A write that fails leaves memory as it was.

`Staff` holds the event's `Floor` and uses only its public methods.

Who may act on whom: `Role.outranks`. A moderator acts on attendees; a host on
moderators and attendees; nobody on themselves or on a host.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from rooms import languages
from rooms.errors import BadRequest, Conflict, Forbidden, NotFound
from rooms.floor import Floor
from rooms.model import Person, Role, Room, RoomKind, Timer
from rooms.outbound import Message, Outbox, Result, ToPerson, ToStaff

HOSTS = (Role.HOST,)
MODERATORS = (Role.MODERATOR, Role.HOST)


def _nothing_to_apply() -> Result:
    return Result()


@dataclasses.dataclass(frozen=True, slots=True)
class Action:
    """A staff operation decided but not yet done.

    `action`, `target` and `detail` form the moderation log row (with the actor
    and `at`). `room` is the room as the action leaves it (room actions), for
    storage. `apply()` makes the change in memory and returns the ack's extra
    fields and the outbox; the server calls it once, after the commit.
    """

    at: int
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    apply: Callable[[], Result] = _nothing_to_apply
    room: Room | None = None

    def log_entry(self) -> dict[str, Any]:
        return {"at": self.at, "actor": self.actor, "action": self.action,
                "target": self.target, "detail": self.detail}


@dataclasses.dataclass(frozen=True, slots=True)
class Flagged(Result):
    """A flag raised: `flag` is the record to store, shaped as `flag:new`."""

    flag: dict[str, Any] = dataclasses.field(default_factory=dict)


class Staff:
    """What hosts and moderators may do, beside the floor they hold."""

    def __init__(self, floor: Floor, language: str = languages.DEFAULT_LANGUAGE) -> None:
        self.floor = floor
        #: The event's default language: plain titles and themes are in it (issue 12).
        self.language = language

    # --- authorisation -------------------------------------------------------------

    def _staff(self, actor_id: str, roles: tuple[Role, ...]) -> Person:
        """The acting person, if their stored role allows the action. Raises Forbidden."""
        actor = self.floor.person(actor_id)
        self.floor.require_role(actor, *roles)
        return actor

    def _subject(self, actor: Person, person_id: str) -> Person:
        """The person a moderation action aims at. Raises NotFound, Forbidden."""
        target = self.floor.person(person_id)
        if not actor.role.outranks(target.role):
            if target.id == actor.id:
                raise Forbidden("you cannot do this to yourself")
            raise Forbidden(f"a {actor.role.value} cannot act on a {target.role.value}")
        return target

    def _table(self, room_id: str) -> Room:
        room = self.floor.room(room_id)
        if room.kind is RoomKind.LOBBY:
            raise BadRequest("the lobby cannot be closed", field="room")
        return room

    # --- hosts: tables ---------------------------------------------------------------

    def create_room(
        self, actor_id: str, title: str | None, theme: str, capacity: int | None, now: int,
        *, titles: dict[str, str] | None = None, themes: dict[str, str] | None = None,
    ) -> Action:
        """A new open table; reply `{room}`. `titles`/`themes` (by language) win over
        `title`/`theme`. Raises Forbidden, BadRequest (no title), RateLimited."""
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        lang = self.language
        all_titles = languages.merged({}, lang, title, titles)
        all_themes = languages.merged({}, lang, theme, themes)
        if not all_titles:
            raise BadRequest("title is required", field="title")
        floor.check_rate(actor, "staff", now)
        room = Room(floor.next_id("r_", now), languages.pick(all_titles, lang),
                    languages.pick(all_themes, lang), capacity=capacity,
                    titles=all_titles, themes=all_themes)

        def apply() -> Result:
            floor.add_room(room)
            floor.touch(rooms=[room.id])
            return Result({"room": room.wire()})

        return Action(now, actor.id, "room:create", room.id,
                      {"title": room.title, "theme": room.theme, "capacity": capacity,
                       "titles": all_titles, "themes": all_themes}, apply, room)

    def update_room(
        self, actor_id: str, room_id: str, now: int, *, title: str | None = None,
        theme: str | None = None, capacity: int | None = None, set_capacity: bool = False,
        titles: dict[str, str] | None = None, themes: dict[str, str] | None = None,
    ) -> Action:
        """Rename, re-theme or resize a room; reply `{room}`.

        `titles`/`themes` replace every language's text; a plain `title` alone
        replaces the default language's. Seated people stay even when the new
        capacity is lower. The lobby takes no capacity. Raises Forbidden,
        NotFound, BadRequest, RateLimited.
        """
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        room = floor.room(room_id)
        if set_capacity and capacity is not None and room.kind is RoomKind.LOBBY:
            raise BadRequest("the lobby has no capacity limit", field="capacity")
        floor.check_rate(actor, "staff", now)
        detail: dict[str, Any] = {}
        lang = self.language
        if title is not None or titles is not None:
            detail["titles"] = languages.merged(room.titles, lang, title, titles)
            detail["title"] = languages.pick(detail["titles"], lang, room.title)
        if theme is not None or themes is not None:
            detail["themes"] = languages.merged(room.themes, lang, theme, themes)
            detail["theme"] = languages.pick(detail["themes"], lang)
        if set_capacity:
            detail["capacity"] = capacity

        def apply() -> Result:
            for name, value in detail.items():
                setattr(room, name, value)
            floor.touch(rooms=[room.id])
            return Result({"room": room.wire()})

        return Action(now, actor.id, "room:update", room.id, detail, apply,
                      dataclasses.replace(room, **detail))

    def open_room(self, actor_id: str, room_id: str, now: int) -> Action:
        """Open a table; reply `{room}`. Raises Forbidden, NotFound, RateLimited."""
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        room = floor.room(room_id)
        floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            room.open = True
            floor.touch(rooms=[room.id])
            return Result({"room": room.wire()})

        return Action(now, actor.id, "room:open", room.id, {}, apply,
                      dataclasses.replace(room, open=True))

    def close_room(self, actor_id: str, room_id: str, now: int) -> Action:
        """Close a table and move everyone seated there to the lobby (`room_closed`).

        Reply `{room}`. Raises Forbidden, NotFound, BadRequest (the lobby), RateLimited.
        """
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        room = self._table(room_id)
        floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            room.open = False
            out: Outbox = []
            for person_id in list(room.occupants):
                out += floor.move_to(floor.people[person_id], floor.lobby, "room_closed",
                                     actor.profile.name, now)
            floor.touch(rooms=[room.id])
            return Result({"room": room.wire()}, out)

        return Action(now, actor.id, "room:close", room.id, {"moved": len(room.occupants)},
                      apply, dataclasses.replace(room, open=False))

    # --- hosts: the whole event ------------------------------------------------------

    def announce(self, actor_id: str, text: str, now: int) -> Action:
        """Everyone in the event gets `announcement`; reply `{announcement}`."""
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        floor.check_rate(actor, "staff", now)
        message = {"id": floor.next_id("a_", now), "from": actor.id,
                   "name": actor.profile.name, "text": text, "ts": now}

        def apply() -> Result:
            return Result({"announcement": message}, [floor.to_all("announcement", message)])

        return Action(now, actor.id, "announce", None, {"text": text}, apply)

    def set_timer(self, actor_id: str, seconds: int, label: str, now: int) -> Action:
        """Start or replace the event's timer; everyone gets `timer`; reply `{timer}`.

        The timer to store is `detail` (`label`, `ends_at`)."""
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        floor.check_rate(actor, "staff", now)
        timer = Timer(label, now + seconds * 1000)

        def apply() -> Result:
            floor.timer = timer
            return Result({"timer": timer.wire()}, [floor.to_all("timer", timer.wire())])

        return Action(now, actor.id, "timer:set", None,
                      {"seconds": seconds, "label": label, "ends_at": timer.ends_at}, apply)

    def clear_timer(self, actor_id: str, now: int) -> Action:
        """Stop the timer; everyone gets `timer` with null."""
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            floor.timer = None
            return Result(out=[floor.to_all("timer", None)])

        return Action(now, actor.id, "timer:clear", None, {}, apply)

    def recall(self, actor_id: str, now: int) -> Action:
        """Move every attendee on the floor who is not in the lobby there (`recall`).

        Staff stay where they are. Reply `{moved: n}`.
        """
        floor = self.floor
        actor = self._staff(actor_id, HOSTS)
        floor.check_rate(actor, "staff", now)

        def away() -> list[Person]:
            return [p for p in floor.people.values()
                    if not p.role.is_staff and p.present and p.room != floor.lobby.id]

        def apply() -> Result:
            moving = away()
            by = actor.profile.name
            if floor.settings.bulk_moves:
                out = floor.move_all_to(moving, floor.lobby, "recall", by, now)
            else:
                out = []
                for person in moving:
                    out += floor.move_to(person, floor.lobby, "recall", by, now)
            return Result({"moved": len(moving)}, out)

        return Action(now, actor.id, "recall", None, {"moved": len(away())}, apply)

    # --- moderators ------------------------------------------------------------------

    def mute(self, actor_id: str, person_id: str, minutes: int | None, now: int) -> Action:
        """Silence someone (for `minutes`, or until unmuted); they get `muted`.

        Reply `{until}`. Raises Forbidden, NotFound, RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self.floor.check_rate(actor, "staff", now)
        until = None if minutes is None else now + minutes * 60_000

        def apply() -> Result:
            target.muted, target.muted_until = True, until
            if until is None:
                self.floor.timed_mutes.discard(target.id)
            else:
                self.floor.timed_mutes.add(target.id)
            self.floor.touch(people=[target.id])
            return Result({"until": until}, [Message(ToPerson(target.id), "muted",
                                                     {"until": until, "by": actor.profile.name})])

        return Action(now, actor.id, "mod:mute", target.id,
                      {"minutes": minutes, "until": until}, apply)

    def unmute(self, actor_id: str, person_id: str, now: int) -> Action:
        """Let someone talk again; they get `unmuted`."""
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self.floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            target.muted, target.muted_until = False, None
            self.floor.timed_mutes.discard(target.id)
            self.floor.touch(people=[target.id])
            return Result(out=[Message(ToPerson(target.id), "unmuted",
                                       {"by": actor.profile.name})])

        return Action(now, actor.id, "mod:unmute", target.id, {}, apply)

    def expire_mutes(self, now: int) -> Outbox:
        """Lift every timed mute whose time has passed; each person gets `unmuted`.
        Looks only at people under a timed mute, not at everyone, every tick."""
        out: Outbox = []
        for person_id in list(self.floor.timed_mutes):
            person = self.floor.people.get(person_id)
            if person is None or not person.muted or person.muted_until is None:
                self.floor.timed_mutes.discard(person_id)
                continue
            if now < person.muted_until:
                continue
            self.floor.timed_mutes.discard(person_id)
            person.muted, person.muted_until = False, None
            self.floor.touch(people=[person.id])
            out.append(Message(ToPerson(person.id), "unmuted", {"by": None}))
        return out

    def moderator_move(self, actor_id: str, person_id: str, room_id: str, now: int) -> Action:
        """Seat someone on the floor in another room; they get `moved` (`moderator`).

        Capacity is not enforced, and closed tables are allowed (a word aside).
        Reply `{room: RoomDetail}`. Raises Forbidden, NotFound, RateLimited.
        """
        floor = self.floor
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        room = floor.room(room_id)
        if not target.present:
            raise NotFound("that person is not here", field="person")
        floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            out: Outbox = []
            # they may have left the floor while the log row was written
            if target.present and target.room != room.id:
                out = floor.move_to(target, room, "moderator", actor.profile.name, now)
            return Result({"room": room.detail()}, out)

        return Action(now, actor.id, "mod:move", target.id,
                      {"from": target.room, "room": room.id}, apply)

    def kick(self, actor_id: str, person_id: str, reason: str, ban: bool, now: int) -> Action:
        """Remove someone: they get `kicked` and their connection is closed.

        With `ban` the server also stores the ban (`detail["ban"]`), so their
        token is refused from then on. Raises Forbidden, NotFound, RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        self.floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            out = self.floor.end_session(target, "kicked", {"reason": reason},
                                         "banned" if ban else "kicked", now)
            if ban:
                target.banned = True
            return Result(out=out)

        return Action(now, actor.id, "mod:kick", target.id, {"reason": reason, "ban": ban},
                      apply)

    def unban(self, actor_id: str, person_id: str, now: int) -> Action:
        """Lift a ban: the person's link works again (the server clears it in storage).

        Raises Forbidden (rank as for a kick), NotFound, Conflict (not banned),
        RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        target = self._subject(actor, person_id)
        if not target.banned:
            raise Conflict("that person is not banned", field="person")
        self.floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            target.banned = False
            return Result()

        return Action(now, actor.id, "mod:unban", target.id, {}, apply)

    # --- everyone: flags -------------------------------------------------------------

    def flag(self, person_id: str, about: str, reason: str, now: int) -> Flagged:
        """Ask moderators to look at someone; reply `{flag: id}`, staff online get
        `flag:new`. Changes nothing in memory: the server stores `flag`.

        Raises NotFound, BadRequest (oneself), RateLimited.
        """
        floor = self.floor
        person = floor.person(person_id)
        target = floor.person(about)
        if target.id == person.id:
            raise BadRequest("you cannot flag yourself", field="person")
        floor.check_rate(person, "flag", now)
        flag = {"flag": floor.next_id("f_", now), "from": person.id, "person": target.id,
                "reason": reason, "at": now}
        return Flagged({"flag": flag["flag"]}, [Message(ToStaff(floor.slug), "flag:new", flag)],
                       flag)

    def resolve_flag(self, actor_id: str, flag: dict[str, Any] | None, now: int) -> Action:
        """Mark a flag handled (issue 12): staff online get `flag:resolved`, reply
        `{flag}` with `resolved_at`, `resolved_by` and `resolved_by_name`.

        `flag` is the stored record (None when there is none). The same rank
        rules as for a kick, when the flagged person is still known: nobody
        resolves a report about themselves or someone they do not outrank.
        Raises Forbidden, NotFound, Conflict (already resolved), RateLimited.
        """
        actor = self._staff(actor_id, MODERATORS)
        if flag is None:
            raise NotFound("no such report", field="flag")
        if flag["person"] in self.floor.people:
            self._subject(actor, flag["person"])
        if flag.get("resolved_at") is not None:
            raise Conflict("that report is already resolved", field="flag")
        self.floor.check_rate(actor, "staff", now)
        resolved = {"flag": flag["flag"], "person": flag["person"], "resolved_at": now,
                    "resolved_by": actor.id, "resolved_by_name": actor.profile.name}

        def apply() -> Result:
            return Result({"flag": resolved},
                          [Message(ToStaff(self.floor.slug), "flag:resolved", resolved)])

        return Action(now, actor.id, "flag:resolve", flag["person"], {"flag": flag["flag"]},
                      apply)
