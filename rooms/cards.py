"""Business cards: consented exchanges between people of one event.

A card travels only through an accepted exchange. Each step is split in two so
the server can keep the durability promise: `plan_…` checks and decides without
changing anything; the server commits the decision to storage; then `add_…`,
`decline` or `complete_exchange` changes memory and returns a `Result`.

`Cards` holds the event's `Floor` and uses only its public methods. Pending
requests are capped per addressee and per requester (`CardLimits`), so nobody's
welcome can be flooded; the welcome carries the newest of them and the rest are
paged (`requests_page`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from rooms.errors import BadRequest, Conflict, NotFound
from rooms.floor import Floor
from rooms.model import Person
from rooms.outbound import EndSession, Message, Outbox, Result, ToPerson


@dataclasses.dataclass(frozen=True, slots=True)
class CardLimits:
    """Caps on pending card requests (config `[cards]`)."""

    #: Pending requests one person may have waiting for them; more are refused.
    per_addressee: int = 200
    #: Pending requests one person may have out, unanswered; more are refused.
    per_requester: int = 50
    #: How many of the newest pending requests the welcome carries.
    welcome: int = 50


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


def request_cursor(request: CardRequest) -> str:
    """An opaque place in a person's requests, oldest first, for `requests_page`."""
    return f"{request.at}.{request.id}"


def _parse_cursor(cursor: str) -> tuple[int, str]:
    at, _, request_id = cursor.partition(".")
    if not at.isdigit() or not request_id or len(cursor) > 100:
        raise BadRequest("before is not a place in the list of requests", field="before")
    return int(at), request_id


class Cards:
    """Card requests and contacts, beside the floor they hold."""

    def __init__(self, floor: Floor, limits: CardLimits | None = None) -> None:
        self.floor = floor
        self.limits = limits or CardLimits()
        self.card_requests: dict[str, CardRequest] = {}
        #: Pairs of people who exchanged cards.
        self.contacts: set[frozenset[str]] = set()
        # indexes of `card_requests`: by (sender, to), by addressee, counts per sender
        self._by_pair: dict[tuple[str, str], CardRequest] = {}
        self._inbox: dict[str, dict[str, CardRequest]] = {}
        self._from_count: Counter[str] = Counter()

    # --- keeping the indexes ---------------------------------------------------------

    def _keep(self, request: CardRequest) -> None:
        if request.id in self.card_requests:
            return
        self.card_requests[request.id] = request
        self._by_pair[(request.sender, request.to)] = request
        self._inbox.setdefault(request.to, {})[request.id] = request
        self._from_count[request.sender] += 1

    def _drop(self, request: CardRequest) -> None:
        if self.card_requests.pop(request.id, None) is None:
            return
        if self._by_pair.get((request.sender, request.to)) is request:
            del self._by_pair[(request.sender, request.to)]
        inbox = self._inbox.get(request.to, {})
        inbox.pop(request.id, None)
        if not inbox:
            self._inbox.pop(request.to, None)
        self._from_count[request.sender] -= 1
        if self._from_count[request.sender] <= 0:
            del self._from_count[request.sender]

    # --- restoring from storage ---------------------------------------------------

    def restore_request(self, request: CardRequest) -> None:
        self._keep(request)

    def restore_contact(self, a: str, b: str) -> None:
        self.contacts.add(pair(a, b))

    # --- reading -------------------------------------------------------------------

    def _pending(self, sender: str, to: str) -> CardRequest | None:
        return self._by_pair.get((sender, to))

    def _waiting_for(self, person_id: str) -> list[CardRequest]:
        """Pending requests addressed to the person from people still here, oldest first."""
        people = self.floor.people
        mine = [r for r in self._inbox.get(person_id, {}).values() if r.sender in people]
        mine.sort(key=lambda r: (r.at, r.id))
        return mine

    def requests_for(self, person_id: str) -> list[dict[str, Any]]:
        """Every pending request addressed to the person, oldest first, as CardRequests."""
        return [self._request_wire(r) for r in self._waiting_for(person_id)]

    def requests_page(
        self, person_id: str, before: str | None = None, limit: int | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The newest `limit` pending requests older than the cursor `before` (all when
        None), oldest first, and the cursor for the page before them (None: no more).

        Raises BadRequest for a cursor that is not one.
        """
        waiting = self._waiting_for(person_id)
        if before is not None:
            mark = _parse_cursor(before)
            waiting = [r for r in waiting if (r.at, r.id) < mark]
        return self._page(waiting, self.limits.welcome if limit is None else limit)

    def _page(
        self, waiting: list[CardRequest], limit: int,
    ) -> tuple[list[dict[str, Any]], str | None]:
        page = waiting[-limit:] if limit > 0 else []
        more = len(waiting) > len(page)
        return [self._request_wire(r) for r in page], request_cursor(page[0]) if more else None

    def welcome(self, person_id: str) -> dict[str, Any]:
        """The cards' part of the welcome: the newest `limits.welcome` pending requests
        (oldest first), how many are pending in all, and the cursor to page the
        older ones (`GET /api/me/requests?before=…`), null when there are none."""
        waiting = self._waiting_for(person_id)
        page, next_cursor = self._page(waiting, self.limits.welcome)
        return {"requests": page, "requests_total": len(waiting), "requests_next": next_cursor}

    def _request_wire(self, request: CardRequest) -> dict[str, Any]:
        return {"request": request.id, "from": self.floor.people[request.sender].wire(),
                "at": request.at}

    def contact_for(self, owner: str, other: Person, ex: Exchange) -> dict[str, Any]:
        """The Contact `owner` keeps: the other person's card and where they met."""
        return {"person": other.id, "card": other.profile.card(), "met_in": ex.room,
                "met_in_title": ex.room_title, "at": ex.at}

    # --- requesting ------------------------------------------------------------------

    def plan_card_request(self, person_id: str, to: str, now: int) -> CardRequest | Exchange:
        """Decide what asking `to` for their card means, changing nothing.

        Returns an existing or new CardRequest, or an Exchange when `to` had
        already asked us. Raises NotFound, Conflict (oneself, already contacts,
        too many pending requests for them or from us), RateLimited.
        """
        floor = self.floor
        sender = floor.person(person_id)
        target = floor.people.get(to)
        if target is None:
            raise NotFound("no such person", field="to")
        if target.id == sender.id:
            raise Conflict("you cannot ask yourself for a card", field="to")
        if pair(sender.id, target.id) in self.contacts:
            raise Conflict("you have already exchanged cards", field="to")
        theirs = self._pending(target.id, sender.id)
        if theirs is not None:
            return Exchange(floor.next_id("x", now), target.id, sender.id, theirs.room,
                            theirs.room_title, now, theirs.id)
        mine = self._pending(sender.id, target.id)
        if mine is not None:
            return mine  # asking twice is asking once
        if self._from_count[sender.id] >= self.limits.per_requester:
            raise Conflict("you have too many card requests waiting for an answer;"
                           " wait for some answers first", field="to")
        if len(self._inbox.get(target.id, ())) >= self.limits.per_addressee:
            raise Conflict("this person has too many card requests waiting already;"
                           " try again later", field="to")
        floor.check_rate(sender, "card", now)
        room = floor.rooms.get(sender.room) if sender.room else None
        return CardRequest(floor.next_id("c", now), sender.id, target.id,
                           room.id if room else None, room.title if room else "", now)

    def add_card_request(self, request: CardRequest) -> Result:
        """Record a stored request; reply `{request}`; the addressee hears `card:requested`."""
        self._keep(request)
        return Result({"request": request.id}, [
            Message(ToPerson(request.to), "card:requested", self._request_wire(request))])

    # --- answering -------------------------------------------------------------------

    def plan_card_response(
        self, person_id: str, request_id: str, accept: bool, now: int,
    ) -> Exchange | CardRequest:
        """An Exchange to commit (accept) or the CardRequest to drop (decline).

        Raises NotFound when the request does not exist, is not addressed to
        the person, or was already answered.
        """
        request = self.card_requests.get(request_id)
        if request is None or request.to != person_id or request.sender not in self.floor.people:
            raise NotFound("no such pending request", field="request")
        if not accept:
            return request
        return Exchange(self.floor.next_id("x", now), request.sender, request.to, request.room,
                        request.room_title, now, request.id)

    def decline(self, request: CardRequest) -> Result:
        """Drop a stored-as-declined request; the requester hears `card:declined`."""
        self._drop(request)
        return Result(out=[Message(ToPerson(request.sender), "card:declined",
                                   {"request": request.id})])

    def complete_exchange(self, ex: Exchange) -> Result:
        """Record a committed exchange. Reply `{contact}`: the accepter's new Contact."""
        for key in ((ex.requester, ex.accepter), (ex.accepter, ex.requester)):
            request = self._by_pair.get(key)
            if request is not None:
                self._drop(request)
        self.contacts.add(pair(ex.requester, ex.accepter))
        people = self.floor.people
        requester, accepter = people[ex.requester], people[ex.accepter]
        for_accepter = self.contact_for(accepter.id, requester, ex)
        for_requester = self.contact_for(requester.id, accepter, ex)
        return Result({"contact": for_accepter}, [
            Message(ToPerson(requester.id), "card:exchanged", for_requester),
            Message(ToPerson(accepter.id), "card:exchanged", for_accepter),
        ])

    # --- erasure ---------------------------------------------------------------------

    def erase(self, person_id: str, now: int) -> Outbox:
        """Take someone off the floor and out of memory: requests, contacts and all."""
        floor = self.floor
        person = floor.person(person_id)
        out: Outbox = floor.leave_floor(person, now) if person.present else []
        out.insert(0, EndSession(person.id, "erased"))
        for request in list(self.card_requests.values()):
            if person_id in (request.sender, request.to):
                self._drop(request)
        self.contacts = {p for p in self.contacts if person_id not in p}
        floor.forget_lines(person_id)
        del floor.people[person_id]
        return out
