"""Voice and video on the floor: who may publish and who hears whom (contract v1.2).

The media engine (an SFU, server/media/) forwards the streams; this module
decides. Rules:

- at a table everyone seated there may publish; in the lobby (the stage) only
  hosts and the people a host invited (`speakers`);
- a subscriber receives the publishers of the room its owner is in now, never
  of another room, and video from at most `max_video` of them, the nearest;
- leaving a room (by oneself, a moderator, a close, a recall, a kick) ends
  one's publisher there, and every subscriber whose room gained or lost a
  publisher gets its feeds recomputed;
- a muted person may not start sending audio (the engine also stops
  forwarding it: the server asks it to whenever `muted` changes).

Operations check first and change nothing when they raise. They return a
`MediaPlan`: what the engine must do (`ends`, `feeds`) and what to deliver
(`out`); the server does the engine part, then delivers.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any

from rooms.errors import Conflict, Forbidden, Muted, NotFound, Unavailable
from rooms.floor import Floor
from rooms.model import Person, Role, RoomKind
from rooms.outbound import EndSession, Message, Outbox, Relocate, ToEvent, ToPerson, ToRoom

#: Reasons carried by `media:ended`.
ENDED_REASONS = frozenset({"moved", "room_closed", "kicked", "stage_removed", "engine"})


@dataclasses.dataclass(frozen=True, slots=True)
class Sending:
    """What a publisher sends now."""

    audio: bool
    video: bool
    screen: bool

    def wire(self, person: str) -> dict[str, Any]:
        return {"person": person, "audio": self.audio, "video": self.video,
                "screen": self.screen}


@dataclasses.dataclass(frozen=True, slots=True)
class Publisher:
    room: str
    sending: Sending


@dataclasses.dataclass(frozen=True, slots=True)
class Feeds:
    """The whole set a subscriber should receive now: every publisher in `audio`,
    and video (camera and screen) only from those in `video`."""

    person: str
    audio: tuple[str, ...]
    video: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Ended:
    """The engine must drop `person`'s `pc` ("publisher" or "subscriber")."""

    person: str
    pc: str
    reason: str


@dataclasses.dataclass(slots=True)
class MediaPlan:
    ends: list[Ended] = dataclasses.field(default_factory=list)
    feeds: list[Feeds] = dataclasses.field(default_factory=list)
    out: Outbox = dataclasses.field(default_factory=list)

    def __iadd__(self, other: MediaPlan) -> MediaPlan:
        self.ends += other.ends
        self.feeds += other.feeds
        self.out += other.out
        return self


class Media:
    """The media state of one event, beside its floor."""

    def __init__(self, floor: Floor, *, enabled: bool = False, max_video: int = 9,
                 steady_audio: bool = True) -> None:
        self.floor = floor
        self.enabled = enabled
        self.max_video = max_video
        #: A subscriber keeps every publisher of its room in `audio` whether they
        #: send audio now or not (the engine forwards nothing while they do not):
        #: a mute or unmute renegotiates nobody. Off, each listener of the room got
        #: a new offer (and answered it) at every toggle.
        self.steady_audio = steady_audio
        self.publishers: dict[str, Publisher] = {}
        #: people with a subscriber connection, and the feeds it was last given
        self.subscribers: dict[str, Feeds] = {}
        #: people a host invited to speak on the stage (the lobby)
        self.speakers: set[str] = set()

    # --- wire shapes -----------------------------------------------------------------

    def welcome(self, ice_servers: list[dict[str, Any]]) -> dict[str, Any]:
        """What `welcome.event` gains: `media` and `speakers`."""
        return {"media": {"enabled": self.enabled, "ice_servers": ice_servers,
                          "max_video": self.max_video},
                "speakers": sorted(self.speakers)}

    def streams(self, room_id: str) -> Message:
        """`media:streams` for the members of a room."""
        publishers = [p.sending.wire(pid) for pid, p in self.publishers.items()
                      if p.room == room_id]
        return Message(ToRoom(room_id), "media:streams",
                       {"room": room_id, "publishers": publishers})

    # --- checks ----------------------------------------------------------------------

    def _available(self) -> None:
        if not self.enabled:
            raise Unavailable("voice and video are not available at this event")

    def may_publish_in(self, person: Person, room_id: str) -> bool:
        room = self.floor.rooms[room_id]
        if room.kind is not RoomKind.LOBBY:
            return True
        return person.role is Role.HOST or person.id in self.speakers

    # --- publishing ------------------------------------------------------------------

    def plan_publish(self, person_id: str, sending: Sending, now: int) -> str:
        """Check that the person may start publishing; returns the room. Changes nothing.

        Raises Unavailable, NotFound (not on the floor), Forbidden (the stage
        without an invitation), Muted (audio while muted), Conflict (already
        publishing).
        """
        self._available()
        person = self.floor.present(person_id)
        assert person.room is not None
        if person_id in self.publishers:
            raise Conflict("you are already publishing; unpublish first")
        if not self.may_publish_in(person, person.room):
            raise Forbidden("only hosts and invited speakers can speak on the stage")
        if sending.audio and person.is_muted(now):
            raise Muted("a moderator has muted you")
        return person.room

    def published(self, person_id: str, room_id: str, sending: Sending) -> MediaPlan:
        """Record a publisher the engine accepted; the room hears `media:streams`."""
        self.publishers[person_id] = Publisher(room_id, sending)
        plan = self._refeed([room_id])
        plan.out.append(self.streams(room_id))
        return plan

    def plan_update(self, person_id: str, sending: Sending, now: int) -> Publisher:
        """Check a change of what is sent. Raises NotFound (not publishing), Muted."""
        publisher = self.publishers.get(person_id)
        if publisher is None:
            raise NotFound("you are not publishing")
        person = self.floor.person(person_id)
        if sending.audio and not publisher.sending.audio and person.is_muted(now):
            raise Muted("a moderator has muted you")
        return publisher

    def updated(self, person_id: str, sending: Sending) -> MediaPlan:
        publisher = self.publishers[person_id]
        self.publishers[person_id] = Publisher(publisher.room, sending)
        plan = self._refeed([publisher.room])
        plan.out.append(self.streams(publisher.room))
        return plan

    def unpublish(self, person_id: str, reason: str | None = None) -> MediaPlan:
        """End a publisher (no-op for someone not publishing). With `reason` the
        person hears `media:ended` (the server ended it, not they)."""
        publisher = self.publishers.pop(person_id, None)
        if publisher is None:
            return MediaPlan()
        plan = self._refeed([publisher.room])
        plan.ends.append(Ended(person_id, "publisher", reason or "unpublished"))
        plan.out.append(self.streams(publisher.room))
        if reason is not None:
            plan.out.append(Message(ToPerson(person_id), "media:ended",
                                    {"pc": "publisher", "reason": reason}))
        return plan

    # --- subscribing -----------------------------------------------------------------

    def plan_subscribe(self, person_id: str) -> Feeds:
        """What a new subscriber of the person should receive. Raises Unavailable,
        NotFound (not on the floor). Changes nothing."""
        self._available()
        person = self.floor.present(person_id)
        return self.feeds_for(person)

    def subscribed(self, feeds: Feeds) -> None:
        self.subscribers[feeds.person] = feeds

    def unsubscribe(self, person_id: str, reason: str | None = None) -> MediaPlan:
        if self.subscribers.pop(person_id, None) is None:
            return MediaPlan()
        plan = MediaPlan(ends=[Ended(person_id, "subscriber", reason or "unsubscribed")])
        if reason is not None:
            plan.out.append(Message(ToPerson(person_id), "media:ended",
                                    {"pc": "subscriber", "reason": reason}))
        return plan

    def feeds_for(self, person: Person) -> Feeds:
        """Every publisher in the person's room but themself; video from the nearest
        `max_video` (screens first: a shared screen is what everyone came to see)."""
        room = self.floor.rooms.get(person.room or "")
        if room is None:
            return Feeds(person.id, (), ())
        others = sorted(pid for pid, p in self.publishers.items()
                        if p.room == room.id and pid != person.id)
        me = room.occupants.get(person.id, (0, 0))

        def rank(pid: str) -> tuple[int, float, str]:
            sending = self.publishers[pid].sending
            x, y = room.occupants.get(pid, me)
            return (0 if sending.screen else 1, math.dist(me, (x, y)), pid)

        visual = [pid for pid in others
                  if self.publishers[pid].sending.video or self.publishers[pid].sending.screen]
        video = tuple(sorted(sorted(visual, key=rank)[: self.max_video]))
        audio = tuple(others) if self.steady_audio else tuple(
            pid for pid in others if self.publishers[pid].sending.audio)
        return Feeds(person.id, audio, video)

    def _refeed(self, rooms: Iterable[str], people: Iterable[str] = ()) -> MediaPlan:
        """Recompute the feeds of subscribers in `rooms` (and of `people`); only the
        ones that changed go into the plan."""
        rooms = set(rooms)
        wanted = set(people)
        plan = MediaPlan()
        for pid, old in list(self.subscribers.items()):
            person = self.floor.people.get(pid)
            if person is None:
                continue
            if person.room not in rooms and pid not in wanted:
                continue
            new = self.feeds_for(person)
            if new != old:
                self.subscribers[pid] = new
                plan.feeds.append(new)
        return plan

    def refresh_video(self, room_ids: Iterable[str]) -> MediaPlan:
        """After people moved inside rooms: nearest-video choices may have changed."""
        return self._refeed(room_ids)

    # --- following the floor -----------------------------------------------------------

    def follow(self, out: Outbox) -> MediaPlan:
        """What the floor's `out` means for media: people who changed rooms lose their
        publisher there (`media:ended`, with the reason the floor gave) and every
        subscriber of the rooms left and entered is re-fed; people whose session
        ended lose both connections."""
        if not (self.publishers or self.subscribers):
            return MediaPlan()
        reasons: dict[str, str] = {}
        touched: set[str] = set()
        movers: set[str] = set()
        for item in out:
            if isinstance(item, Relocate):
                touched.update(r for r in (item.left, item.entered) if r is not None)
                movers.add(item.person)
            elif isinstance(item, EndSession):
                movers.add(item.person)
                reasons[item.person] = "kicked"
            elif item.name == "moved" and isinstance(item.to, ToPerson):
                reasons[item.to.person] = str(item.data.get("reason", "moved"))
        plan = MediaPlan()
        for pid in sorted(movers):
            person = self.floor.people.get(pid)
            room = person.room if person is not None else None
            publisher = self.publishers.get(pid)
            if publisher is not None and publisher.room != room:
                plan += self.unpublish(pid, _ended_reason(reasons.get(pid, "moved")))
            if room is None and pid in self.subscribers:
                plan += self.unsubscribe(pid, _ended_reason(reasons.get(pid, "kicked")))
            if person is None and pid in self.speakers:  # erased: off the stage too
                self.speakers.discard(pid)
                plan.out.append(self._stage())
        plan += self._refeed(touched, movers)
        return plan

    # --- the stage ---------------------------------------------------------------------

    def invite(self, actor_id: str, person_id: str) -> MediaPlan:
        """A host invites someone to speak on the stage; everyone hears `stage`.
        Raises Forbidden (not a host), NotFound."""
        self.floor.require_role(self.floor.person(actor_id), Role.HOST)
        self.floor.person(person_id)
        self.speakers.add(person_id)
        return MediaPlan(out=[self._stage()])

    def remove(self, actor_id: str, person_id: str) -> MediaPlan:
        """A host takes someone off the stage: their stage publisher ends
        (`stage_removed`). Raises Forbidden, NotFound (not a speaker)."""
        self.floor.require_role(self.floor.person(actor_id), Role.HOST)
        if person_id not in self.speakers:
            raise NotFound("that person is not a speaker", field="person")
        self.speakers.discard(person_id)
        plan = MediaPlan(out=[self._stage()])
        publisher = self.publishers.get(person_id)
        person = self.floor.people.get(person_id)
        if (publisher is not None and person is not None
                and not self.may_publish_in(person, publisher.room)):
            plan += self.unpublish(person_id, "stage_removed")
        return plan

    def _stage(self) -> Message:
        return Message(ToEvent(self.floor.slug), "stage", {"speakers": sorted(self.speakers)})

    def forget(self, person_id: str) -> MediaPlan:
        """Someone left the event for good (past grace, erased)."""
        plan = self.unpublish(person_id)
        plan += self.unsubscribe(person_id)
        if person_id in self.speakers:
            self.speakers.discard(person_id)
            plan.out.append(self._stage())
        return plan


def _ended_reason(reason: str) -> str:
    """The floor's move reasons map onto media's; anything else is a move."""
    if reason in ENDED_REASONS:
        return reason
    if reason in ("banned", "erased", "replaced"):
        return "kicked"
    return "moved"
