"""Raised hands on the stage (issue 12): who in the lobby asks to speak, in order.

Rules:

- anyone on the floor but a host may raise a hand, and only in the lobby (the
  stage); raising it again keeps its place; lowering a hand that is down is fine;
- hosts see every raised hand, the oldest first, with the time it went up
  (`hands`); the raiser sees their own (`hand`), with why it went down;
- a host may dismiss a hand; inviting the person to speak (`stage:invite`)
  lowers it; so does leaving the lobby or the floor (grace over, kicked, erased):
  `follow` reads those from any outbox.

Operations take the time as an argument, check before they change anything, and
return what to deliver. Hands are kept in memory (a restart lowers them all).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from rooms.errors import Conflict, Forbidden, NotFound
from rooms.floor import Floor
from rooms.model import Role
from rooms.outbound import EndSession, Message, Outbox, Relocate, Result, ToHosts, ToPerson
from rooms.staff import Action


class Lowered(enum.StrEnum):
    """Why a hand went down (`hand.reason`)."""

    LOWERED = "lowered"      # by its owner
    DISMISSED = "dismissed"  # by a host
    INVITED = "invited"      # a host invited the person to speak
    LEFT = "left"            # the person left the stage


class Hands:
    """The raised hands of one event, beside its floor."""

    def __init__(self, floor: Floor) -> None:
        self.floor = floor
        #: person id -> when the hand went up; insertion order is the queue's order
        self.raised: dict[str, int] = {}

    # --- wire shapes -----------------------------------------------------------------

    def queue(self) -> list[dict[str, Any]]:
        """Raised hands, the oldest first: `[{person, name, at}]`."""
        people = self.floor.people
        return [{"person": pid, "name": people[pid].profile.name if pid in people else "",
                 "at": at} for pid, at in self.raised.items()]

    def mine(self, person_id: str, reason: Lowered | None = None) -> dict[str, Any]:
        """One person's own hand: `{raised, at, reason}`."""
        at = self.raised.get(person_id)
        return {"raised": at is not None, "at": at,
                "reason": reason.value if reason is not None else None}

    def welcome(self, person_id: str) -> dict[str, Any]:
        """What `welcome.event` gains: `hand` (one's own), and `hands` for hosts."""
        fields: dict[str, Any] = {"hand": self.mine(person_id)}
        person = self.floor.people.get(person_id)
        if person is not None and person.role is Role.HOST:
            fields["hands"] = self.queue()
        return fields

    # --- operations ------------------------------------------------------------------

    def raise_hand(self, person_id: str, now: int) -> Result:
        """Ask to speak. Reply `{hand}`. Raises NotFound (not on the floor), Forbidden
        (a host), Conflict (not in the lobby), RateLimited."""
        person = self.floor.present(person_id)
        if person.role is Role.HOST:
            raise Forbidden("hosts speak on the stage without raising a hand")
        if person.room != self.floor.lobby.id:
            raise Conflict("hands are raised on the stage: go to the lobby first")
        self.floor.check_rate(person, "hand", now)
        if person_id in self.raised:
            return Result({"hand": self.mine(person_id)})
        self.raised[person_id] = now
        return Result({"hand": self.mine(person_id)},
                      [self._to_hosts(), self._to_owner(person_id, None)])

    def lower_hand(self, person_id: str, now: int) -> Result:
        """Take one's own hand down. Reply `{hand}`. Raises NotFound, RateLimited."""
        person = self.floor.present(person_id)
        self.floor.check_rate(person, "hand", now)
        if person_id not in self.raised:
            return Result({"hand": self.mine(person_id)})
        out = self._lower([person_id], Lowered.LOWERED)
        return Result({"hand": self.mine(person_id, Lowered.LOWERED)}, out)

    def dismiss(self, actor_id: str, person_id: str, now: int) -> Action:
        """A host takes someone's hand down without inviting them: a host action, so
        planned for the moderation log first (`rooms.staff.Action`). Raises Forbidden
        (not a host), NotFound (no such hand), RateLimited."""
        actor = self.floor.person(actor_id)
        self.floor.require_role(actor, Role.HOST)
        if person_id not in self.raised:
            raise NotFound("that person's hand is not raised", field="person")
        self.floor.check_rate(actor, "staff", now)

        def apply() -> Result:
            return Result(out=self._lower([person_id], Lowered.DISMISSED))

        return Action(now, actor.id, "hand:dismiss", person_id, {}, apply)

    def invited(self, person_id: str) -> Outbox:
        """A host invited the person to speak: their hand, if up, goes down."""
        return self._lower([person_id], Lowered.INVITED)

    def follow(self, out: Iterable[object]) -> Outbox:
        """Hands of the people in `out` who left the lobby or the floor go down."""
        if not self.raised:
            return []
        lobby = self.floor.lobby.id
        left = []
        for item in out:
            if isinstance(item, Relocate | EndSession) and item.person in self.raised:
                person = self.floor.people.get(item.person)
                if person is None or person.room != lobby:
                    left.append(item.person)
        return self._lower(left, Lowered.LEFT)

    # --- delivery ----------------------------------------------------------------------

    def _lower(self, people: Iterable[str], reason: Lowered) -> Outbox:
        down = [pid for pid in dict.fromkeys(people) if self.raised.pop(pid, None) is not None]
        if not down:
            return []
        return [self._to_hosts(), *(self._to_owner(pid, reason) for pid in down)]

    def _to_hosts(self) -> Message:
        return Message(ToHosts(self.floor.slug), "hands", {"hands": self.queue()})

    def _to_owner(self, person_id: str, reason: Lowered | None) -> Message:
        return Message(ToPerson(person_id), "hand", self.mine(person_id, reason))
