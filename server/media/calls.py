"""Calls: the domain's media rules (`rooms.media`) carried out on the engine.

One `Calls` per app owns the media engine (a `MediaPort`, or None when media is
off), a `rooms.media.Media` per event, and two owned tasks: one reads the
engine's events (offers it makes by itself, its ICE candidates, connections it
ended) and delivers them; the other carries out, in order, what the floor's
changes mean for calls (`observe`, called by delivery when people changed
rooms, sessions ended or mutes changed).

Media operations of one event run one at a time (`lock`), so what the domain
checked still holds when the engine answers: plan in the domain, act on the
engine, then record in the domain and deliver. An engine failure reaches the
requester as `unavailable` (or the engine's `bad_request` for a malformed
SDP) and changes nothing in the domain.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rooms.errors import Conflict, KohtaamoError, NotFound
from rooms.event import Event
from rooms.media import Ended as EndMedia
from rooms.media import Feeds, Media, MediaPlan, Sending
from rooms.model import RoomKind
from rooms.outbound import EndSession, Message, Outbox, Relocate, ToPerson
from server.media import port as p
from server.media.settings import MediaConfig
from server.tasks import OwnedTask

log = logging.getLogger(__name__)

Deliver = Callable[[Outbox], Awaitable[None]]

#: Subscribers renegotiated with the engine at once after one change of the floor.
FEEDS_AT_ONCE = 32


class Calls:
    def __init__(self, config: MediaConfig, engine: p.MediaPort | None, deliver: Deliver,
                 events: Callable[[], dict[str, Event]], steady_audio: bool = True) -> None:
        self.config = config
        self.steady_audio = steady_audio
        self.engine = engine
        self.deliver = deliver
        self._events = events
        self._media: dict[str, Media] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._follow: asyncio.Queue[Outbox] = asyncio.Queue()
        self._reader = OwnedTask("kohtaamo-media-events", self._read_engine)
        self._follower = OwnedTask("kohtaamo-media-follow", self._run_follow)

    # --- lifetime --------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.engine is not None and self.engine.up

    async def start(self) -> None:
        if self.engine is not None:
            try:
                await self.engine.start()
            except KohtaamoError as exc:
                log.error("media engine did not start (%s); calls are unavailable", exc)
            self._reader.start()
        self._follower.start()

    async def stop(self) -> None:
        await self._follower.stop()
        await self._reader.stop()
        if self.engine is not None:
            await self.engine.stop()

    # --- the domain side -----------------------------------------------------------------

    def media(self, event: Event) -> Media:
        media = self._media.get(event.slug)
        if media is None:
            media = self._media[event.slug] = Media(
                event.floor, enabled=self.engine is not None, max_video=self.config.max_video,
                steady_audio=self.steady_audio)
        media.enabled = self.enabled
        return media

    def lock(self, slug: str) -> asyncio.Lock:
        return self._locks.setdefault(slug, asyncio.Lock())

    def welcome(self, event: Event, person: str) -> dict[str, Any]:
        """What `welcome.event` gains: `media` (with this person's ICE servers) and
        `speakers`."""
        ice = self.config.ice_servers_for(person, time.time()) if self.enabled else []
        fields = self.media(event).welcome(ice)
        fields["media"]["hearing"] = {"full": self.config.hearing_full,
                                      "silent": self.config.hearing_silent}
        return fields

    def _engine(self) -> p.MediaPort:
        if self.engine is None or not self.engine.up:
            raise p.MediaUnavailable("voice and video are not available right now")
        return self.engine

    # --- requests (the handlers call these under `lock`) -------------------------------------

    async def publish(self, event: Event, person: str, sdp: str, sending: Sending,
                      now: int) -> str:
        media = self.media(event)
        room = media.plan_publish(person, sending, now)
        answer = await self._engine().publish(
            event.slug, person, sdp, p.Sends(sending.audio, sending.video, sending.screen),
            _place(event, room))
        await self._carry_out(event, media.published(person, room, sending))
        return answer

    async def update(self, event: Event, person: str, want: dict[str, bool | None],
                     now: int) -> None:
        media = self.media(event)
        current = media.publishers.get(person)
        base = current.sending if current else Sending(False, False, False)
        sending = Sending(*(base_v if want.get(k) is None else bool(want[k])
                            for k, base_v in (("audio", base.audio), ("video", base.video),
                                              ("screen", base.screen))))
        media.plan_update(person, sending, now)
        await self._engine().update_publisher(
            person, p.Sends(sending.audio, sending.video, sending.screen))
        await self._carry_out(event, media.updated(person, sending))

    async def unpublish(self, event: Event, person: str) -> None:
        media = self.media(event)
        if person not in media.publishers:
            raise NotFound("you are not publishing")
        await self._carry_out(event, media.unpublish(person))

    async def subscribe(self, event: Event, person: str) -> None:
        media = self.media(event)
        feeds = media.plan_subscribe(person)
        offer = await self._engine().subscribe(event.slug, person, _wanted(feeds),
                                               _place(event, event.floor.present(person).room))
        media.subscribed(feeds)
        if offer is not None:
            await self.deliver([_offer_message(offer)])

    async def unsubscribe(self, event: Event, person: str) -> None:
        media = self.media(event)
        if person not in media.subscribers:
            raise NotFound("you are not receiving")
        await self._carry_out(event, media.unsubscribe(person))

    async def answer(self, person: str, offer: str, sdp: str) -> None:
        try:
            number = int(offer)
        except ValueError:
            raise Conflict("that is not the latest offer", field="offer") from None
        await self._engine().answer(person, number, sdp)

    async def trickle(self, person: str, pc: p.Pc, candidate: p.Candidate | None) -> None:
        await self._engine().trickle(person, pc, candidate)

    async def invite(self, event: Event, actor: str, person: str) -> None:
        await self._carry_out(event, self.media(event).invite(actor, person))

    async def remove(self, event: Event, actor: str, person: str) -> None:
        await self._carry_out(event, self.media(event).remove(actor, person))

    # --- following the floor ----------------------------------------------------------------

    def observe(self, out: Outbox) -> None:
        """Delivery hands over each outbox that moved people, ended sessions or changed
        mutes; the follow task works through them in order."""
        if self.engine is not None:
            self._follow.put_nowait(out)

    async def _run_follow(self) -> None:
        while True:
            out = await self._follow.get()
            try:
                await self._follow_one(out)
            except Exception:
                log.exception("media could not follow a change of the floor")

    async def _follow_one(self, out: Outbox) -> None:
        slugs = self._slugs_of(out)
        for slug in slugs:
            event = self._events().get(slug)
            if event is None:
                continue
            async with self.lock(slug):
                await self._carry_out(event, self.media(event).follow(out))
        for item in out:
            if (isinstance(item, Message) and isinstance(item.to, ToPerson)
                    and item.name in ("muted", "unmuted") and self.enabled):
                try:
                    await self._engine().mute(item.to.person, item.name == "muted")
                except KohtaamoError as exc:
                    log.warning("could not %s %s at the engine: %s", item.name,
                                item.to.person, exc)

    def _slugs_of(self, out: Outbox) -> list[str]:
        """The events with calls going on where someone in `out` moved or left (an
        erased person is no longer among the event's people, but may still be in
        its calls)."""
        people = {item.person for item in out if isinstance(item, Relocate | EndSession)}
        return [slug for slug, event in self._events().items()
                if (media := self._media.get(slug)) is not None
                and (media.publishers or media.subscribers)
                and not (people.isdisjoint(event.people)
                         and people.isdisjoint(media.publishers)
                         and people.isdisjoint(media.subscribers))]

    # --- carrying out a plan ----------------------------------------------------------------

    async def _carry_out(self, event: Event, plan: MediaPlan) -> None:
        """Do the engine's part of `plan` (ends first, then new feeds), then deliver
        its messages and the offers the engine made. An engine that fails here is
        logged: the domain has already decided, and the engine's own events
        (Ended) will say what became of the connection."""
        engine = self.engine if self.enabled else None
        for end in plan.ends:
            if engine is not None:
                await self._quietly(self._end(engine, end))
        offers: Outbox = []
        if engine is not None and plan.feeds:
            # Each subscriber's renegotiation is its own round trip to the engine:
            # asked for together, a recall of hundreds does not wait for each in turn.
            gate = asyncio.Semaphore(FEEDS_AT_ONCE)

            async def refeed(feeds: Feeds) -> None:
                mover = event.floor.people.get(feeds.person)
                async with gate:
                    try:
                        offer = await engine.set_feeds(
                            feeds.person, _wanted(feeds),
                            _place(event, mover.room if mover else None))
                    except KohtaamoError as exc:
                        log.warning("feeds of %s not changed: %s", feeds.person, exc)
                        return
                if offer is not None:
                    offers.append(_offer_message(offer))

            await asyncio.gather(*(refeed(feeds) for feeds in plan.feeds))
        await self.deliver(plan.out + offers)

    @staticmethod
    async def _end(engine: p.MediaPort, end: EndMedia) -> None:
        if end.pc == "publisher":
            await engine.unpublish(end.person)
        else:
            await engine.unsubscribe(end.person)

    @staticmethod
    async def _quietly(work: Awaitable[None]) -> None:
        try:
            await work
        except KohtaamoError as exc:  # already gone at the engine: nothing to undo
            log.info("media: %s", exc)

    # --- what the engine says ------------------------------------------------------------

    async def _read_engine(self) -> None:
        assert self.engine is not None
        while True:
            ev = await self.engine.next_event()
            try:
                await self._on_engine(ev)
            except Exception:
                log.exception("media event %r could not be handled", ev)

    async def _on_engine(self, ev: p.MediaEvent) -> None:
        if isinstance(ev, p.OfferMade):
            await self.deliver([_offer_message(ev.offer)])
        elif isinstance(ev, p.IceCandidate):
            await self.deliver([Message(ToPerson(ev.person), "media:candidate",
                                        {"pc": ev.pc, "candidate": ev.candidate})])
        elif isinstance(ev, p.Ended):
            # a pool's move to another server: the page subscribes again by itself
            await self._ended(ev.person, ev.pc, "moved" if ev.reason == "moved" else "engine")
        elif isinstance(ev, p.EngineState):
            log.warning("media engine %s", "is back" if ev.up else "went down")
            for media in self._media.values():
                media.enabled = ev.up

    async def _ended(self, person: str, pc: str, reason: str) -> None:
        """The engine ended a connection by itself: forget it in the domain and tell
        the person (their page starts it again)."""
        for slug, media in self._media.items():
            event = self._events().get(slug)
            if event is None or person not in event.people:
                continue
            async with self.lock(slug):
                plan = (media.unpublish(person, reason) if pc == "publisher"
                        else media.unsubscribe(person, reason))
                await self.deliver(plan.out)


def _place(event: Event, room: str | None) -> p.Place | None:
    """The port's name for the call of `room` (the lobby is the stage)."""
    known = event.floor.rooms.get(room or "")
    if known is None:
        return None
    return p.Place(known.id, stage=known.kind is RoomKind.LOBBY)


def _wanted(feeds: Feeds) -> list[str]:
    return sorted(set(feeds.audio) | set(feeds.video))


def _offer_message(offer: p.Offer) -> Message:
    return Message(ToPerson(offer.person), "media:offer", {
        "offer": str(offer.id), "sdp": offer.sdp,
        "streams": [s.as_dict() for s in offer.streams],
    })
