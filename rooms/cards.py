"""Business cards: consented exchanges between people of one event.

A card travels only through an accepted exchange. Each step is split in two so
the server can keep the durability promise: `plan_…` checks and decides without
changing anything; the server commits the decision to storage; then `add_…` or
`complete_exchange` changes memory and returns who hears of it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rooms.errors import Conflict, NotFound
from rooms.floor import Floor
from rooms.model import Person
from rooms.outbound import EndSession, Message, Outbox, ToPerson


@dataclasses.dataclass(frozen=True, slots=True)
class CardRequest:
    id: str
    sender: str
    to: str
    room: str | None
    room_title: str
    at: int


@dataclasses.dataclass(frozen=True, slots=True)
class Exchange:
    """An accepted exchange: `requester` asked, `accepter` said yes (or asked back)."""

    id: str
    requester: str
    accepter: str
    room: str | None
    room_title: str
    at: int
    #: The pending request this exchange answers.
    request: str


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


class Cards(Floor):
    """Card requests and contacts, on top of the floor."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.card_requests: dict[str, CardRequest] = {}
        #: Pairs of people who exchanged cards.
        self.contacts: set[frozenset[str]] = set()

    # --- restoring from storage ---------------------------------------------------

    def restore_request(self, request: CardRequest) -> None:
        self.card_requests[request.id] = request

    def restore_contact(self, a: str, b: str) -> None:
        self.contacts.add(pair(a, b))

    # --- reading -------------------------------------------------------------------

    def _pending(self, sender: str, to: str) -> CardRequest | None:
        for request in self.card_requests.values():
            if request.sender == sender and request.to == to:
                return request
        return None

    def requests_for(self, person_id: str) -> list[dict[str, Any]]:
        """Pending requests addressed to the person, as CardRequest wire objects."""
        return [
            self._request_wire(r) for r in self.card_requests.values()
            if r.to == person_id and r.sender in self.people
        ]

    def welcome(self, person_id: str) -> dict[str, Any]:
        welcome = super().welcome(person_id)
        welcome["requests"] = self.requests_for(person_id)
        return welcome

    def _request_wire(self, request: CardRequest) -> dict[str, Any]:
        return {"request": request.id, "from": self.people[request.sender].wire(),
                "at": request.at}

    def contact_for(self, owner: str, other: Person, ex: Exchange) -> dict[str, Any]:
        """The Contact `owner` keeps: the other person's card and where they met."""
        return {"person": other.id, "card": other.profile.card(), "met_in": ex.room,
                "met_in_title": ex.room_title, "at": ex.at}

    # --- requesting ------------------------------------------------------------------

    def plan_card_request(self, person_id: str, to: str, now: int) -> CardRequest | Exchange:
        """Decide what asking `to` for their card means, changing nothing.

        Returns an existing or new CardRequest, or an Exchange when `to` had
        already asked us. Raises NotFound, Conflict (oneself, already
        contacts), RateLimited.
        """
        sender = self.person(person_id)
        target = self.people.get(to)
        if target is None:
            raise NotFound("no such person", field="to")
        if target.id == sender.id:
            raise Conflict("you cannot ask yourself for a card", field="to")
        if pair(sender.id, target.id) in self.contacts:
            raise Conflict("you have already exchanged cards", field="to")
        theirs = self._pending(target.id, sender.id)
        if theirs is not None:
            return Exchange(self.next_id("x", now), target.id, sender.id, theirs.room,
                            theirs.room_title, now, theirs.id)
        mine = self._pending(sender.id, target.id)
        if mine is not None:
            return mine  # asking twice is asking once
        self._check_rate(sender, "card", now)
        room = self.rooms.get(sender.room) if sender.room else None
        return CardRequest(self.next_id("c", now), sender.id, target.id,
                           room.id if room else None, room.title if room else "", now)

    def add_card_request(self, request: CardRequest) -> Outbox:
        """Record a stored request; the addressee hears `card:requested`."""
        self.card_requests[request.id] = request
        return [Message(ToPerson(request.to), "card:requested", self._request_wire(request))]

    # --- answering -------------------------------------------------------------------

    def plan_card_response(
        self, person_id: str, request_id: str, accept: bool, now: int,
    ) -> Exchange | CardRequest:
        """An Exchange to commit (accept) or the CardRequest to drop (decline).

        Raises NotFound when the request does not exist, is not addressed to
        the person, or was already answered.
        """
        request = self.card_requests.get(request_id)
        if request is None or request.to != person_id or request.sender not in self.people:
            raise NotFound("no such pending request", field="request")
        if not accept:
            return request
        return Exchange(self.next_id("x", now), request.sender, request.to, request.room,
                        request.room_title, now, request.id)

    def decline(self, request: CardRequest) -> Outbox:
        """Drop a stored-as-declined request; the requester hears `card:declined`."""
        self.card_requests.pop(request.id, None)
        return [Message(ToPerson(request.sender), "card:declined", {"request": request.id})]

    def complete_exchange(self, ex: Exchange) -> tuple[dict[str, Any], Outbox]:
        """Record a committed exchange. Returns (the accepter's new Contact, outbox)."""
        for request in list(self.card_requests.values()):
            if pair(request.sender, request.to) == pair(ex.requester, ex.accepter):
                del self.card_requests[request.id]
        self.contacts.add(pair(ex.requester, ex.accepter))
        requester, accepter = self.people[ex.requester], self.people[ex.accepter]
        for_accepter = self.contact_for(accepter.id, requester, ex)
        for_requester = self.contact_for(requester.id, accepter, ex)
        return for_accepter, [
            Message(ToPerson(requester.id), "card:exchanged", for_requester),
            Message(ToPerson(accepter.id), "card:exchanged", for_accepter),
        ]

    # --- erasure ---------------------------------------------------------------------

    def erase(self, person_id: str, now: int) -> Outbox:
        """Take someone off the floor and out of memory: requests, contacts and all."""
        person = self.person(person_id)
        out: Outbox = self._leave_floor(person, now) if person.present else []
        out.insert(0, EndSession(person.id, "erased"))
        for request in list(self.card_requests.values()):
            if person_id in (request.sender, request.to):
                del self.card_requests[request.id]
        self.contacts = {p for p in self.contacts if person_id not in p}
        self.forget_lines(person_id)
        del self.people[person_id]
        return out
