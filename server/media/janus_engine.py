"""The media port over Janus's videoroom plugin.

One Janus session per engine. Per event one videoroom (created on demand with
its own `secret`, `signed_tokens`, audio level events) holding every
publisher of the event, plus a passive "control" participant whose handle
hears the room's news (feeds going live or leaving, talking) and carries the
room's administrative requests (`moderate`, `destroy`). Per person one handle
for their publisher and one for their subscriber; the subscriber's feeds are
the intersection of what the server wants them to receive and what is live.
Janus's callbacks are synchronous and never await: what needs a request runs
in an owned task. The connection's life (reconnecting after a loss) is in
janus_link.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from rooms.errors import Conflict, KohtaamoError, NotFound
from server.media.auth import room_token
from server.media.janus import JanusError, JanusEvent, JanusHandle
from server.media.janus_link import JanusLink, JanusTarget, engine_error
from server.media.port import (
    Candidate,
    Connected,
    Ended,
    FeedChanged,
    IceCandidate,
    Kind,
    MediaUnavailable,
    Offer,
    OfferMade,
    Pc,
    Place,
    Sends,
    Stream,
    Talking,
)
from server.media.sdp import check_candidate, publisher_kinds, sections

log = logging.getLogger(__name__)


@dataclasses.dataclass
class _Room:
    event: str
    id: int
    secret: str
    control: JanusHandle
    #: People whose publisher Janus announced as receivable.
    live: set[str] = dataclasses.field(default_factory=set)
    #: Their streams as Janus announced them (type, mindex, mid, codec, …): a relay
    #: to another Janus (janus_relay.py) describes the feed with them.
    streams: dict[str, list[dict[str, Any]]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Publisher:
    event: str
    handle: JanusHandle
    kinds: dict[str, Kind]
    sends: Sends


@dataclasses.dataclass
class _Subscriber:
    event: str
    wanted: set[str]
    handle: JanusHandle | None = None
    subscribed: set[str] = dataclasses.field(default_factory=set)
    offer: int = 0
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)


class JanusEngine(JanusLink):
    """MediaPort over one Janus (see port.py for what each method promises)."""

    def __init__(self, target: JanusTarget, *, max_publishers: int = 1000, **link: Any) -> None:
        super().__init__(target, **link)
        self.max_publishers = max_publishers
        self._rooms: dict[str, _Room] = {}
        self._pubs: dict[str, _Publisher] = {}
        self._subs: dict[str, _Subscriber] = {}
        self._muted: set[str] = set()
        self._jids: dict[str, int] = {}
        self._persons: dict[int, str] = {}
        self._room_lock = asyncio.Lock()
        self._person_locks: dict[str, asyncio.Lock] = {}

    def _forget_all(self) -> None:
        for person in list(self._pubs):
            self._events.put_nowait(Ended(person, "publisher", "engine"))
        for person in list(self._subs):
            self._events.put_nowait(Ended(person, "subscriber", "engine"))
        self._pubs.clear()
        self._subs.clear()
        self._rooms.clear()

    async def _close_all(self) -> None:
        for event in list(self._rooms):
            await self.close_event(event)

    def _jid(self, person: str) -> int:
        if person not in self._jids:
            jid = secrets.randbelow(2**52) + 1
            while jid in self._persons:
                jid = secrets.randbelow(2**52) + 1
            self._jids[person], self._persons[jid] = jid, person
        return self._jids[person]

    def _lock(self, person: str) -> asyncio.Lock:
        return self._person_locks.setdefault(person, asyncio.Lock())

    def _room_token(self, room: _Room) -> str:
        return room_token(self.target.token_secret, room.id, self.clock())

    # --- rooms ---

    async def open_event(self, event: str) -> None:
        await self._room(event)

    async def _room(self, event: str) -> _Room:
        self._require()
        async with self._room_lock:
            if event in self._rooms:
                return self._rooms[event]
            room_id, secret = secrets.randbelow(2**52) + 1, secrets.token_urlsafe(18)
            control = await self._attach(lambda h, e: self._on_control(event, e))
            room = _Room(event, room_id, secret, control)
            create: dict[str, Any] = {
                "request": "create", "room": room_id, "secret": secret, "permanent": False,
                "description": f"kohtaamo {event}", "is_private": True,
                "publishers": self.max_publishers, "signed_tokens": True,
                "audiocodec": "opus", "videocodec": "vp8,h264",
                "audiolevel_event": True, "audio_active_packets": 50, "audio_level_average": 40,
            }
            if self.target.admin_key:
                create["admin_key"] = self.target.admin_key
            try:
                await self._call(control, create)
                await self._call(control, {
                    "request": "join", "ptype": "publisher", "room": room_id,
                    "id": secrets.randbelow(2**52) + 1, "display": "kohtaamo",
                    "token": self._room_token(room)})
            except KohtaamoError:
                with contextlib.suppress(JanusError):
                    await control.detach()
                raise
            self._rooms[event] = room
            return room

    async def close_event(self, event: str) -> None:
        for person in [p for p, pub in self._pubs.items() if pub.event == event]:
            await self._drop_publisher(person)
        for person in [p for p, sub in self._subs.items() if sub.event == event]:
            await self._drop_subscriber(person)
        room = self._rooms.pop(event, None)
        if room is not None:
            with contextlib.suppress(JanusError):
                await room.control.message({"request": "destroy", "room": room.id,
                                            "secret": room.secret})
                await room.control.detach()

    def _on_control(self, event: str, ev: JanusEvent) -> None:
        room = self._rooms.get(event)
        kind = ev.data.get("videoroom")
        if room is None or ev.kind != "event" or kind is None:
            return
        if kind in ("talking", "stopped-talking"):
            person = self._persons.get(ev.data.get("id", 0))
            if person is not None:
                self._events.put_nowait(Talking(event, person, kind == "talking"))
            return
        for announced in ev.data.get("publishers", ()):
            person = self._persons.get(announced.get("id", 0))
            if person is None or not self._feeds_here(person) or person in room.live:
                continue
            room.live.add(person)
            room.streams[person] = list(announced.get("streams") or ())
            self._events.put_nowait(FeedChanged(event, person, True))
            for sub_person, sub in self._subs.items():
                if sub.event == event and person in sub.wanted:
                    self._spawn(self._resync(sub_person))
        for key in ("unpublished", "leaving"):
            person = self._persons.get(ev.data.get(key, 0)) if key in ev.data else None
            if person is not None and person in room.live:
                room.live.discard(person)
                room.streams.pop(person, None)
                self._events.put_nowait(FeedChanged(event, person, False))
                for sub in self._subs.values():
                    sub.subscribed.discard(person)  # Janus re-offers by itself (autoupdate)

    def _feeds_here(self, person: str) -> bool:
        """Whether `person` has a feed in this Janus (a relay adds remote ones)."""
        return person in self._pubs

    # --- publishers ---

    async def publish(self, event: str, person: str, sdp: str, sends: Sends,
                      room: Place | None = None) -> str:
        kinds = publisher_kinds(sdp)
        async with self._lock(person):
            if person in self._pubs:
                raise Conflict("already publishing")
            vroom = await self._room(event)
            handle = await self._attach(lambda h, e: self._on_peer(person, "publisher", h, e))
            try:
                reply = await self._call(handle, {
                    "request": "joinandconfigure", "ptype": "publisher", "room": vroom.id,
                    "id": self._jid(person), "display": person, "token": self._room_token(vroom),
                    "descriptions": [{"mid": m, "description": k} for m, k in kinds.items()],
                }, {"type": "offer", "sdp": sdp})
                if not reply.jsep or "sdp" not in reply.jsep:
                    raise MediaUnavailable("the media engine gave no answer")
            except KohtaamoError:
                with contextlib.suppress(JanusError):
                    await handle.detach()
                raise
            self._pubs[person] = _Publisher(event, handle, kinds, sends)
            await self._enforce(person)
            return str(reply.jsep["sdp"])

    async def update_publisher(self, person: str, sends: Sends) -> None:
        async with self._lock(person):
            pub = self._pubs.get(person)
            if pub is None:
                raise NotFound("not publishing")
            pub.sends = sends
            await self._enforce(person)

    async def _enforce(self, person: str) -> None:
        """Make Janus forward only what the publisher sends and no audio while muted."""
        pub = self._pubs[person]
        room = self._rooms[pub.event]
        on = {"audio": pub.sends.audio, "video": pub.sends.video, "screen": pub.sends.screen}
        await self._call(pub.handle, {"request": "configure", "streams": [
            {"mid": mid, "send": on[kind]} for mid, kind in pub.kinds.items()]})
        for mid, kind in pub.kinds.items():
            if kind == "audio":
                await self._call(room.control, {
                    "request": "moderate", "room": room.id, "secret": room.secret,
                    "id": self._jid(person), "mid": mid, "mute": person in self._muted})

    async def unpublish(self, person: str) -> None:
        async with self._lock(person):
            if person not in self._pubs:
                raise NotFound("not publishing")
            await self._drop_publisher(person)

    async def _drop_publisher(self, person: str) -> None:
        pub = self._pubs.pop(person, None)
        if pub is not None:
            with contextlib.suppress(JanusError):
                await pub.handle.detach()

    async def mute(self, person: str, muted: bool) -> None:
        (self._muted.add if muted else self._muted.discard)(person)
        async with self._lock(person):
            if person in self._pubs:
                await self._enforce(person)

    # --- subscribers ---

    async def subscribe(self, event: str, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        async with self._lock(person):
            await self._drop_subscriber(person)
            await self._room(event)
            self._subs[person] = _Subscriber(event, set(feeds) - {person})
        return await self._resync(person, announce=False)

    async def set_feeds(self, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        sub = self._subs.get(person)
        if sub is None:
            raise NotFound("not subscribed")
        sub.wanted = set(feeds) - {person}
        return await self._resync(person, announce=False)

    async def _resync(self, person: str, announce: bool = True) -> Offer | None:
        """Bring the subscription to wanted ∩ live. The offer is returned, or put out
        as OfferMade when `announce` (the engine acted by itself)."""
        sub = self._subs.get(person)
        if sub is None:
            return None
        async with sub.lock:
            room = self._rooms.get(sub.event)
            if room is None or self._subs.get(person) is not sub:
                return None
            add = sorted((sub.wanted & room.live) - sub.subscribed)
            remove = sorted(sub.subscribed - sub.wanted)
            if sub.handle is None:
                if not add:
                    return None
                handle = await self._attach(
                    lambda h, e: self._on_peer(person, "subscriber", h, e))
                try:
                    reply = await self._call(handle, {
                        "request": "join", "ptype": "subscriber", "room": room.id,
                        "token": self._room_token(room),
                        "streams": [e for p in add for e in self._entries(room, p)]})
                except KohtaamoError:
                    with contextlib.suppress(JanusError):
                        await handle.detach()
                    raise
                sub.handle = handle
            elif add or remove:
                body: dict[str, Any] = {"request": "update"}
                if add:
                    body["subscribe"] = [e for p in add for e in self._entries(room, p)]
                if remove:
                    body["unsubscribe"] = [{"feed": self._jid(p)} for p in remove]
                reply = await self._call(sub.handle, body)
            else:
                return None
            sub.subscribed = (sub.subscribed | set(add)) - set(remove)
            offer = self._offer(person, sub, reply.data, reply.jsep)
        if offer is not None and announce:
            self._events.put_nowait(OfferMade(offer))
            return None
        return offer

    def _entries(self, room: _Room, person: str) -> list[dict[str, Any]]:
        """What to subscribe to of `person`'s feed: every stream it announced, with
        a simulcast camera taken at its low layer (substream 0: tiles are small;
        Janus reads the page's `h;l` rids high to low). A feed whose streams are
        not known yet is taken whole."""
        jid = self._jid(person)
        streams = [s for s in room.streams.get(person) or ()
                   if s.get("type") in ("audio", "video") and s.get("mid") is not None]
        if not streams:
            return [{"feed": jid}]
        entries = []
        for stream in streams:
            entry: dict[str, Any] = {"feed": jid, "mid": str(stream["mid"])}
            if (stream.get("type") == "video" and stream.get("simulcast")
                    and stream.get("description") != "screen"):
                entry["substream"] = 0
            entries.append(entry)
        return entries

    def _offer(self, person: str, sub: _Subscriber, data: dict[str, Any],
               jsep: dict[str, Any] | None) -> Offer | None:
        if not jsep or jsep.get("type") != "offer":
            return None
        streams = []
        for s in data.get("streams") or ():
            owner = self._persons.get(s.get("feed_id", 0))
            if not s.get("active", True) or owner is None:
                continue
            if s.get("type") not in ("audio", "video"):
                continue
            kind: Kind = "audio" if s["type"] == "audio" else (
                "screen" if s.get("feed_description") == "screen" else "video")
            streams.append(Stream(str(s["mid"]), owner, kind))
        sub.offer += 1
        return Offer(person, sub.offer, str(jsep["sdp"]), tuple(streams))

    async def answer(self, person: str, offer: int, sdp: str) -> None:
        sections(sdp)
        sub = self._subs.get(person)
        if sub is None or sub.handle is None:
            raise NotFound("no subscriber offer to answer")
        if offer != sub.offer:
            raise Conflict("not the latest offer")
        await self._call(sub.handle, {"request": "start"}, {"type": "answer", "sdp": sdp})

    async def unsubscribe(self, person: str) -> None:
        async with self._lock(person):
            if person not in self._subs:
                raise NotFound("not subscribed")
            await self._drop_subscriber(person)

    async def _drop_subscriber(self, person: str) -> None:
        sub = self._subs.pop(person, None)
        if sub is not None and sub.handle is not None:
            with contextlib.suppress(JanusError):
                await sub.handle.detach()

    # --- both ---

    async def trickle(self, person: str, pc: Pc, candidate: Candidate | None) -> None:
        checked = check_candidate(candidate)
        if pc == "publisher":
            pub = self._pubs.get(person)
            handle = pub.handle if pub is not None else None
        else:
            sub = self._subs.get(person)
            handle = sub.handle if sub is not None else None
        if handle is None:
            raise NotFound(f"no {pc} connection")
        try:
            await handle.trickle(checked)
        except JanusError as exc:
            raise engine_error(exc) from exc

    async def end(self, person: str) -> None:
        async with self._lock(person):
            await self._drop_publisher(person)
            await self._drop_subscriber(person)
        self._person_locks.pop(person, None)

    def _current(self, person: str, pc: Pc, handle: JanusHandle) -> bool:
        if pc == "publisher":
            pub = self._pubs.get(person)
            return pub is not None and pub.handle is handle
        sub = self._subs.get(person)
        return sub is not None and sub.handle is handle

    def _on_peer(self, person: str, pc: Pc, handle: JanusHandle, ev: JanusEvent) -> None:
        if not self._current(person, pc, handle):
            return
        if ev.kind == "trickle":
            candidate = ev.raw.get("candidate") or {}
            self._events.put_nowait(IceCandidate(
                person, pc, None if candidate.get("completed") else candidate))
        elif ev.kind == "webrtcup":
            self._events.put_nowait(Connected(person, pc))
        elif ev.kind in ("hangup", "detached"):
            (self._pubs if pc == "publisher" else self._subs).pop(person, None)
            self._spawn(handle.detach())
            self._events.put_nowait(Ended(person, pc, "hangup"))
        elif ev.kind == "event" and pc == "subscriber" and ev.jsep is not None:
            sub = self._subs[person]
            offer = self._offer(person, sub, ev.data, ev.jsep)
            if offer is not None:
                self._events.put_nowait(OfferMade(offer))
        elif ev.kind == "event" and "error" in ev.data:
            log.warning("janus: %s of %s: %s", pc, person, ev.data)
