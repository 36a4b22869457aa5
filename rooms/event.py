"""`Event`: one networking occasion, a thin façade over its floor, cards and staff.

The parts are composed, not inherited: `Floor` owns the state and the everyday
operations, `Cards(floor)` and `Staff(floor)` hold the floor and use only its
public methods. `Event` builds the three and exposes their operations under
one name, which is what the server and the tests talk to; it adds no rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rooms import snapshot
from rooms.cards import CardLimits, CardRequest, Cards
from rooms.floor import Floor
from rooms.grouping import group
from rooms.hands import Hands
from rooms.languages import DEFAULT_LANGUAGE
from rooms.met import MetTracker
from rooms.model import Person, Room, Settings, Timer
from rooms.outbound import Outbox
from rooms.ratelimit import Limits, Rate
from rooms.rounds import Rounds
from rooms.seating import Seating
from rooms.series import Grouper
from rooms.staff import Staff
from rooms.talk import Talk


class Event:
    """The whole in-memory world of one event; see `rooms.floor.Floor` for the rules."""

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
        card_limits: CardLimits | None = None,
        language: str = DEFAULT_LANGUAGE,
        grouper: Grouper = group,
        met: MetTracker | None = None,
    ) -> None:
        self.floor = floor = Floor(slug, title, lobby=lobby, description=description, code=code,
                                   settings=settings, rates=rates, capacity=capacity)
        self.cards = cards = Cards(floor, card_limits)
        self.staff = staff = Staff(floor, language)
        self.talk = talk = Talk(floor)
        #: raised hands on the stage (issue 12)
        self.hands = Hands(floor)
        self.rounds = Rounds(floor, grouper, met)
        # the floor: set-up, lookups, connections, rooms, talk, presence
        self.add_room = floor.add_room
        self.add_person = floor.add_person
        self.person = floor.person
        self.present = floor.present
        self.room = floor.room
        self.next_id = floor.next_id
        self.admit = floor.admit
        self.admit_join = floor.admit_join
        self.forget_lines = floor.forget_lines
        self.purge_unconnected = floor.purge_unconnected
        self.restore_seat = floor.restore_seat
        self.connect = floor.connect
        self.disconnect = floor.disconnect
        self.expire = floor.expire
        self.enter = floor.enter
        self.move_to = floor.move_to
        self.move = floor.move
        self.move_now = floor.move_now
        self.flush_positions = floor.flush_positions
        self.say = talk.say
        self.whisper = talk.whisper
        self.wave = talk.wave
        self.set_status = talk.set_status
        self.drain_visits = floor.drain_visits
        self.touch = floor.touch
        self.presence = floor.presence
        self.end_session = floor.end_session
        # cards
        self.restore_request = cards.restore_request
        self.restore_contact = cards.restore_contact
        self.requests_for = cards.requests_for
        self.requests_page = cards.requests_page
        self.plan_card_request = cards.plan_card_request
        self.add_card_request = cards.add_card_request
        self.plan_card_response = cards.plan_card_response
        self.decline = cards.decline
        self.complete_exchange = cards.complete_exchange
        self.erase = self._erase
        # staff
        self.create_room = staff.create_room
        self.update_room = staff.update_room
        self.open_room = staff.open_room
        self.close_room = staff.close_room
        self.announce = staff.announce
        self.set_timer = staff.set_timer
        self.clear_timer = staff.clear_timer
        self.recall = staff.recall
        self.mute = staff.mute
        self.unmute = staff.unmute
        self.expire_mutes = staff.expire_mutes
        self.moderator_move = staff.moderator_move
        self.kick = staff.kick
        self.unban = staff.unban
        self.flag = staff.flag
        self.resolve_flag = staff.resolve_flag

    def _erase(self, person_id: str, now: int) -> Outbox:
        self.rounds.forget(person_id)
        return self.cards.erase(person_id, now)

    def welcome(self, person_id: str, *, people: bool = True) -> dict[str, Any]:
        """The snapshot a new connection receives: the floor's, with the cards' part.
        Without `people` it lacks the list of everyone present (`rooms.snapshot`)."""
        series = self.rounds.series
        return {**snapshot.welcome(self.floor, person_id, people=people),
                **self.cards.welcome(person_id),
                # extensions: the series of rounds running, and whether I take part
                "rounds": series.wire() if series is not None else None,
                "rounds_in": self.rounds.opted_in(self.floor.person(person_id))}

    def info(self) -> dict[str, Any]:
        """Public event info for `GET /api/events/{event}`."""
        return snapshot.info(self.floor)

    # --- the floor's state, read through ----------------------------------------------

    @property
    def slug(self) -> str:
        return self.floor.slug

    @property
    def title(self) -> str:
        return self.floor.title

    @property
    def description(self) -> str:
        return self.floor.description

    @property
    def code(self) -> str:
        return self.floor.code

    @property
    def capacity(self) -> int | None:
        return self.floor.capacity

    @capacity.setter
    def capacity(self, capacity: int | None) -> None:
        self.floor.capacity = capacity

    @property
    def settings(self) -> Settings:
        return self.floor.settings

    @property
    def limits(self) -> Limits:
        return self.floor.limits

    @property
    def lobby(self) -> Room:
        return self.floor.lobby

    @property
    def rooms(self) -> dict[str, Room]:
        return self.floor.rooms

    @property
    def people(self) -> dict[str, Person]:
        return self.floor.people

    @property
    def timer(self) -> Timer | None:
        return self.floor.timer

    @timer.setter
    def timer(self, timer: Timer | None) -> None:
        self.floor.timer = timer

    @property
    def connected_count(self) -> int:
        return self.floor.connected_count

    @property
    def peak_connected(self) -> int:
        return self.floor.peak_connected

    @property
    def seating(self) -> Seating:
        return self.floor.seating

    @property
    def timed_mutes(self) -> set[str]:
        return self.floor.timed_mutes

    @property
    def card_requests(self) -> dict[str, CardRequest]:
        return self.cards.card_requests

    @property
    def contacts(self) -> set[frozenset[str]]:
        return self.cards.contacts
