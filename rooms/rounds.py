"""Networking rounds (contract v1.2, issue 13): a host's series, as a pure state machine.

A series seats the attendees who are present and opted in in groups, one group
a table, for `minutes`; one minute before the end each group is warned; at the
end each person is told their round-mates (to ask for cards), and after a short
pause between rounds the next round is grouped anew, so people who arrived
meanwhile take part. The last round's end, or a stop, returns the people of the
series to the lobby and removes the tables the series made.

Rules that keep it clean:
- every operation takes `now` (epoch ms); `tick(now)` moves the series on and
  returns what to deliver, so tests move time without sleeping;
- who is grouped with whom is decided by an injected `Grouper` (the pure
  `rooms.grouping.group`), deterministic given the series' seed; grouping
  thousands takes a good part of a second, so it is a `GroupingJob` taken
  from `due()` on the state of that moment, which the server runs off the
  loop and hands back to `seat()` (checked again there: who left meanwhile
  is not seated);
- host operations authorise from the stored role and return a `staff.Action`:
  logged like every host action, applied after the commit;
- the series lives in memory: a restart ends it (the tables it made are not
  stored, so the people in them are back in the lobby), which docs/protocol.md
  says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rooms.errors import BadRequest, Conflict, NotFound
from rooms.floor import Floor
from rooms.grouping import Participant, check_series, group_sizes
from rooms.met import Met, MetTracker
from rooms.model import Person, Room, RoomKind
from rooms.outbound import Message, Outbox, Result, ToPerson
from rooms.series import Grouper, GroupingJob, MetWith, Phase, Series
from rooms.staff import HOSTS, Action

#: How long before a round's end its people are warned.
WARNING_MS = 60_000
#: The pause between rounds, to ask round-mates for cards.
BETWEEN_MS = 30_000
MAX_ROUNDS = 20
MAX_MINUTES = 60

class Rounds:
    """The series of one event. `tracker` is the event's record of who met whom
    (`rooms.met`): rounds add their groups to it, `observe` adds people who sat
    together, and grouping avoids repeats."""

    def __init__(self, floor: Floor, grouper: Grouper, tracker: MetTracker | None = None) -> None:
        self.floor = floor
        self.grouper = grouper
        self.tracker = tracker if tracker is not None else MetTracker()
        self.met: MetWith = self.tracker.met_with
        #: tables not yet observed in this pass of `observe`
        self._to_observe: list[str] = []
        self.series: Series | None = None
        #: attendees who opted out, staff who opted in (the defaults are the others)
        self._out: set[str] = set()
        self._staff_in: set[str] = set()
        self._met_log: list[Met] = []

    # --- everyone --------------------------------------------------------------------

    def opt(self, person_id: str, opt_in: bool) -> Result:
        """Take part in the next rounds or not. Reply `{}`."""
        person = self.floor.person(person_id)
        if person.role.is_staff:
            (self._staff_in.add if opt_in else self._staff_in.discard)(person.id)
        else:
            (self._out.discard if opt_in else self._out.add)(person.id)
        return Result()

    def opted_in(self, person: Person) -> bool:
        if person.role.is_staff:
            return person.id in self._staff_in
        return person.id not in self._out

    def observe(self, now: int, share: int) -> None:
        """Look at the positions of `share` more tables (round-robin) for people who
        sat within conversation distance long enough to have met."""
        if not self._to_observe:
            self._to_observe = [r.id for r in self.floor.rooms.values()
                                if r.kind is RoomKind.TABLE]
        batch, self._to_observe = self._to_observe[:share], self._to_observe[share:]
        rooms = self.floor.rooms
        self._met_log += self.tracker.observe(
            {r: rooms[r].occupants for r in batch if r in rooms}, now)

    def drain_met(self) -> list[Met]:
        """Pairs who met (in a round or at a table) since the last call, for storage."""
        met, self._met_log = self._met_log, []
        return met

    # --- hosts -----------------------------------------------------------------------

    def start(self, actor_id: str, rounds: int, minutes: int, group_size: int,
              rooms: Sequence[str] | None, seed: int, now: int) -> Action:
        """Plan a series; applied, it seats the first round. Reply `{series}`.

        Raises Conflict while a series runs, BadRequest for settings the people
        present cannot fill (fewer than one group, too few or unknown tables).
        """
        floor = self.floor
        actor = self._host(actor_id, now)
        if self.series is not None:
            raise Conflict("a series of rounds is already running")
        if rounds not in range(1, MAX_ROUNDS + 1) or minutes not in range(1, MAX_MINUTES + 1):
            raise BadRequest("rounds must be 1-20 and minutes 1-60")
        people = self._candidates()
        check_series(len(people), group_size)
        chosen = tuple(dict.fromkeys(rooms)) if rooms else None
        if chosen is not None:
            for room_id in chosen:
                room = floor.room(room_id)
                if room.kind is not RoomKind.TABLE:
                    raise BadRequest("rounds use tables, not the lobby", field="rooms")
            if len(chosen) < len(group_sizes(len(people), group_size)):
                raise BadRequest("too few tables for the groups of the people here",
                                 field="rooms")
        series = Series(floor.next_id("s", now), rounds, minutes, group_size, chosen, seed)

        def apply() -> Result:
            # the first round is due at once: `due` gives its grouping job
            self.series = series
            series.ends_at = now
            return self._changed(series)

        return Action(now, actor.id, "rounds:start", None,
                      {"rounds": rounds, "minutes": minutes, "group_size": group_size,
                       "rooms": list(chosen or ())}, apply)

    def pause(self, actor_id: str, now: int) -> Action:
        series = self._running(actor_id, now)

        def apply() -> Result:
            if series.state in (Phase.RUNNING, Phase.BETWEEN):
                series.paused_from, series.state = series.state, Phase.PAUSED
                series.paused_left = max(0, (series.ends_at or now) - now)
                series.ends_at = None
            return self._changed(series)

        return Action(now, actor_id, "rounds:pause", None, {}, apply)

    def resume(self, actor_id: str, now: int) -> Action:
        series = self._running(actor_id, now)

        def apply() -> Result:
            if series.state is Phase.PAUSED and series.paused_from is not None:
                series.state, series.paused_from = series.paused_from, None
                series.ends_at = now + series.paused_left
            return self._changed(series)

        return Action(now, actor_id, "rounds:resume", None, {}, apply)

    def extend(self, actor_id: str, minutes: int, now: int) -> Action:
        series = self._running(actor_id, now)
        if minutes not in range(1, 31):
            raise BadRequest("minutes must be 1-30", field="minutes")

        def apply() -> Result:
            if series.state is Phase.PAUSED:
                series.paused_left += minutes * 60_000
            elif series.ends_at is not None:
                series.ends_at += minutes * 60_000
            series.warned = False
            return self._changed(series)

        return Action(now, actor_id, "rounds:extend", None, {"minutes": minutes}, apply)

    def skip(self, actor_id: str, now: int) -> Action:
        """End the running round now, or start the next one now when between."""
        series = self._running(actor_id, now)

        def apply() -> Result:
            phase = series.paused_from if series.state is Phase.PAUSED else series.state
            series.paused_from = None
            series.state = phase or Phase.BETWEEN
            if phase is Phase.RUNNING:
                out = self._end_round(series, now)
            else:  # the next round is due now
                series.ends_at = now
                out = [self.floor.to_all("rounds", series.wire())]
            return Result({"series": self._wire()}, out)

        return Action(now, actor_id, "rounds:skip", None, {}, apply)

    def stop(self, actor_id: str, now: int) -> Action:
        """End the series: round-mates are told, everyone in it returns to the lobby."""
        series = self._running(actor_id, now)

        def apply() -> Result:
            out: Outbox = []
            if (series.paused_from or series.state) is Phase.RUNNING:
                out += self._mates(series)
            out += self._finish(series, now)
            return Result({"series": None}, out)

        return Action(now, actor_id, "rounds:stop", None, {}, apply)

    # --- time ------------------------------------------------------------------------

    def tick(self, now: int) -> Outbox:
        """Warn and end rounds whose time has come, and end the series after its last
        (`due` gives the grouping of the next). Costs nothing when idle."""
        series = self.series
        if series is None or series.ends_at is None:
            return []
        if series.state is Phase.RUNNING:
            if now >= series.ends_at:
                return self._end_round(series, now)
            if not series.warned and now >= series.ends_at - WARNING_MS:
                series.warned = True
                return self._to_groups(series, "round:warning", lambda _members: {
                    "series": series.id, "round": series.round, "ends_at": series.ends_at})
        elif series.state is Phase.BETWEEN and now >= series.ends_at and not series.grouping:
            if series.round >= series.rounds:
                return self._finish(series, now)
            if len(self._candidates()) < 2:
                # nobody to meet: the round is skipped, the series goes on (or ends)
                series.round += 1
                series.groups = []
                return self._after_round(series, now)
        return []

    def due(self, now: int) -> GroupingJob | None:
        """The grouping job of the next round when it is time for it (once), else None."""
        series = self.series
        if (series is None or series.state is not Phase.BETWEEN or series.grouping
                or series.ends_at is None or now < series.ends_at
                or series.round >= series.rounds):
            return None
        people = self._candidates()
        if len(people) < 2:
            return None
        series.grouping = True
        met = {p.id: frozenset(self.met.get(p.id, ())) for p in people}
        return GroupingJob(series.id, series.round + 1, tuple(people), series.group_size,
                           met, series.seed + series.round + 1, self.grouper)

    def seat(self, job: GroupingJob, groups: Sequence[Sequence[str]], now: int) -> Outbox:
        """Seat a round from its grouping job's result; nothing when the series was
        stopped or moved on meanwhile. Someone no longer here is left out."""
        series = self.series
        if series is None or series.id != job.series or series.round + 1 != job.round:
            return []
        series.grouping = False
        if series.state is not Phase.BETWEEN:
            return []  # paused meanwhile: `due` gives a new job on resume
        people = self.floor.people
        here = [[m for m in g if m in people and people[m].connected and people[m].present]
                for g in groups]
        return self._begin_round(series, [g for g in here if g], now)

    def abandon(self, job: GroupingJob, now: int) -> None:
        """The grouping job failed: try again in a few seconds."""
        series = self.series
        if series is not None and series.id == job.series:
            series.grouping = False
            if series.state is Phase.BETWEEN:
                series.ends_at = now + 5_000

    def forget(self, person_id: str) -> None:
        """Someone erased: drop them from the series' lists and the met pairs."""
        self._out.discard(person_id)
        self._staff_in.discard(person_id)
        self.tracker.forget(person_id)
        if self.series is not None:
            for _room, members in self.series.groups:
                if person_id in members:
                    members.remove(person_id)

    # --- the steps ---------------------------------------------------------------------

    def _candidates(self) -> list[Participant]:
        return [
            Participant.of(p.id, p.profile)
            for p in self.floor.people.values()
            if p.connected and p.present and not p.banned and self.opted_in(p)
        ]

    def _begin_round(self, series: Series, groups: list[list[str]], now: int) -> Outbox:
        floor = self.floor
        series.round += 1
        rooms = self._tables(series, len(groups), now)
        out: Outbox = []
        series.groups = []
        series.state, series.warned = Phase.RUNNING, False
        series.ends_at = now + series.minutes * 60_000
        for room, members in zip(rooms, groups, strict=True):
            series.groups.append((room.id, list(members)))
            found = self.tracker.grouped(members, room.id, now)
            series.new_pairs += len(found)
            self._met_log += found
            for person_id in members:
                out += floor.seat(floor.people[person_id], room, now)
        out += self._to_groups(series, "round:seated", lambda members, room_id: {
            "series": series.id, "round": series.round,
            "room": floor.rooms[room_id].detail(),
            "group": [floor.people[m].wire() for m in members],
            "ends_at": series.ends_at}, with_room=True)
        out.append(floor.to_all("rounds", series.wire()))
        return out

    def _tables(self, series: Series, count: int, now: int) -> list[Room]:
        floor = self.floor
        if series.chosen is not None:
            usable = [floor.rooms[r] for r in series.chosen if r in floor.rooms]
            if len(usable) >= count:
                return usable[:count]
            series.chosen = None  # tables went away meanwhile: make the rest
            series.made_rooms = [r.id for r in usable]
        while len(series.made_rooms) < count:
            number = len(series.made_rooms) + 1
            room = Room(floor.next_id("t", now), f"Round table {number}", "",
                        capacity=series.group_size + 1)
            floor.add_room(room)
            floor.touch(rooms=[room.id])
            series.made_rooms.append(room.id)
        return [floor.rooms[r] for r in series.made_rooms[:count]]

    def _end_round(self, series: Series, now: int) -> Outbox:
        return self._mates(series) + self._after_round(series, now)

    def _after_round(self, series: Series, now: int) -> Outbox:
        if series.round >= series.rounds:
            return self._finish(series, now)
        series.state, series.ends_at = Phase.BETWEEN, now + BETWEEN_MS
        return [self.floor.to_all("rounds", series.wire())]

    def _mates(self, series: Series) -> Outbox:
        people = self.floor.people
        return self._to_groups(series, "round:ended", lambda mates: {
            "series": series.id, "round": series.round,
            "mates": [people[m].wire() for m in mates if m in people]}, exclude_self=True)

    def _finish(self, series: Series, now: int) -> Outbox:
        floor = self.floor
        out: Outbox = []
        series.state, series.ends_at = Phase.DONE, None
        round_rooms = {room for room, _members in series.groups} | set(series.made_rooms)
        for room_id, members in series.groups:
            for person_id in members:
                person = floor.people.get(person_id)
                if person is not None and person.room == room_id and person.room in round_rooms:
                    out += floor.move_to(person, floor.lobby, "round_end", None, now)
        for room_id in series.made_rooms:
            out += floor.remove_room(room_id, now)
            self.tracker.forget_room(room_id)
        series.groups = []
        self.series = None
        out.append(floor.to_all("rounds", None))
        return out

    def _to_groups(self, series: Series, name: str, data: Callable[..., dict[str, Any]], *,
                   with_room: bool = False, exclude_self: bool = False) -> Outbox:
        out: Outbox = []
        for room_id, members in series.groups:
            for person_id in members:
                if person_id not in self.floor.people:
                    continue
                others = [m for m in members if m != person_id] if exclude_self else members
                payload = data(others, room_id) if with_room else data(others)
                out.append(Message(ToPerson(person_id), name, payload))
        return out

    def _changed(self, series: Series) -> Result:
        return Result({"series": series.wire()}, [self.floor.to_all("rounds", series.wire())])

    def _wire(self) -> dict[str, Any] | None:
        return self.series.wire() if self.series is not None else None

    def _host(self, actor_id: str, now: int) -> Person:
        actor = self.floor.person(actor_id)
        self.floor.require_role(actor, *HOSTS)
        self.floor.check_rate(actor, "staff", now)
        return actor

    def _running(self, actor_id: str, now: int) -> Series:
        self._host(actor_id, now)
        if self.series is None:
            raise NotFound("no series of rounds is running")
        return self.series


__all__ = ["BETWEEN_MS", "WARNING_MS", "Rounds"]
