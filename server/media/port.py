"""The media port: the one interface the server uses to reach an SFU.

Engine-neutral: person ids are Kohtaamo's strings, SDP is a string, an ICE
candidate is a browser's `RTCIceCandidateInit` dict (`{candidate, sdpMid,
sdpMLineIndex}`), a stream is `{mid, person, kind}` as the contract's
`media:offer` carries it. Janus is one implementation (janus_engine.py); its
rooms, handles and numeric ids never leave the adapter.

Each person has at most one publisher (what they send) and one subscriber
(what they receive) per engine. The subscriber receives the feeds the server
names (`subscribe` / `set_feeds`: "the people whose streams this person may
receive now", normally everyone publishing in their room); the engine
subscribes to those of them that publish, and follows by itself as they start
or stop. Each change of what is received is a new SDP offer from the engine,
which the browser answers (`answer`). An offer is either returned by the call
that caused it or, when the engine makes it by itself (a wanted feed starts,
a feed leaves, a postponed renegotiation), put out as `OfferMade` — never both.

A call's place (`Place`: the room, and whether it is a stage) tells an engine
over several servers (pool.py) where a publisher or subscriber belongs; an
engine over one server ignores it.

Errors (rooms.errors, so the one wrapper turns them into acks):
`MediaUnavailable` (`unavailable`: engine down or refusing), `BadRequest`
(malformed SDP or candidate), `Conflict` (already publishing; an answer to an
offer that is not the latest), `NotFound` (no such publisher / subscriber).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal, Protocol

from rooms.errors import Unavailable

Pc = Literal["publisher", "subscriber"]
Kind = Literal["audio", "video", "screen"]
#: A browser's RTCIceCandidateInit: {candidate, sdpMid, sdpMLineIndex}.
Candidate = dict[str, Any]


class MediaUnavailable(Unavailable):
    """No media engine, or it is down or refused the request (contract code `unavailable`)."""


@dataclasses.dataclass(frozen=True)
class Place:
    """The room a publisher or subscriber is for. On a `stage` (the lobby) listeners
    may be served by other servers than the speakers' (a pool relays them)."""

    room: str
    stage: bool = False


@dataclasses.dataclass(frozen=True)
class Sends:
    """What a publisher sends now (the contract's `{audio, video, screen}`)."""

    audio: bool = False
    video: bool = False
    screen: bool = False


@dataclasses.dataclass(frozen=True)
class Stream:
    """One m-line of a subscriber's offer: whose stream it carries and what it is."""

    mid: str
    person: str
    kind: Kind

    def as_dict(self) -> dict[str, str]:
        return {"mid": self.mid, "person": self.person, "kind": self.kind}


@dataclasses.dataclass(frozen=True)
class Offer:
    """An SDP offer for `person`'s subscriber. `id` grows per subscriber; only the
    latest offer may be answered."""

    person: str
    id: int
    sdp: str
    streams: tuple[Stream, ...]


# --- what the engine tells the server (MediaPort.next_event) ---


@dataclasses.dataclass(frozen=True)
class OfferMade:
    """The engine renegotiates `offer.person`'s subscriber: send it as `media:offer`."""

    offer: Offer


@dataclasses.dataclass(frozen=True)
class IceCandidate:
    """A candidate of the engine's side of `person`'s `pc` (None: no more)."""

    person: str
    pc: Pc
    candidate: Candidate | None


@dataclasses.dataclass(frozen=True)
class Connected:
    """`person`'s `pc` is up (ICE and DTLS done): media can flow."""

    person: str
    pc: Pc


@dataclasses.dataclass(frozen=True)
class Ended:
    """The engine ended `person`'s `pc`: `reason` is `engine` (the engine, or the
    pool's server carrying it, was lost), `hangup` (the connection failed or was
    closed) or `moved` (a subscriber whose new room is served by another server
    of a pool: a browser cannot move a PeerConnection there; subscribe again).
    The engine holds nothing more for it; the person may publish or subscribe again."""

    person: str
    pc: Pc
    reason: Literal["engine", "hangup", "moved"]


@dataclasses.dataclass(frozen=True)
class FeedChanged:
    """`person`'s publisher in `event` became receivable (`live`) or stopped."""

    event: str
    person: str
    live: bool


@dataclasses.dataclass(frozen=True)
class Talking:
    """`person` (a publisher in `event`) started or stopped talking."""

    event: str
    person: str
    talking: bool


@dataclasses.dataclass(frozen=True)
class EngineState:
    """The engine went down (`up=False`: every connection has Ended) or is back."""

    up: bool


MediaEvent = OfferMade | IceCandidate | Connected | Ended | FeedChanged | Talking | EngineState


class MediaPort(Protocol):
    """What the server needs of a media engine. Every method may raise MediaUnavailable."""

    @property
    def up(self) -> bool:
        """Whether the engine is reachable now."""

    async def start(self) -> None:
        """Connect (and start a managed engine). Raises MediaUnavailable if it cannot."""

    async def stop(self) -> None:
        """End every call and disconnect (and stop a managed engine)."""

    async def next_event(self) -> MediaEvent:
        """The next event, in order. One consumer (the server's delivery task)."""

    async def open_event(self, event: str) -> None:
        """Make the event's call space ready (done on demand by publish/subscribe too)."""

    async def close_event(self, event: str) -> None:
        """End every publisher and subscriber of `event` (no Ended events) and free it."""

    async def publish(self, event: str, person: str, sdp: str, sends: Sends,
                      room: Place | None = None) -> str:
        """Take the browser's offer to send (in `room`, if the engine cares); return
        the engine's SDP answer.

        The offer's first audio m-line is the microphone, its first video m-line
        the camera and its second the screen share; `sends` says which of them
        carry media now (the others are not forwarded). A muted person's audio
        is not forwarded. Raises Conflict (already publishing), BadRequest (SDP)."""

    async def update_publisher(self, person: str, sends: Sends) -> None:
        """What the publisher sends now; streams turned off are no longer forwarded.
        Raises NotFound."""

    async def unpublish(self, person: str) -> None:
        """End the publisher; subscribers get new offers without it. Raises NotFound."""

    async def subscribe(self, event: str, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        """(Re)create `person`'s subscriber in `event` (for `room`), to receive `feeds` (person ids;
        the person's own and those not publishing are left out until they publish).
        An earlier subscriber of theirs ends first. Returns the offer, or None when
        nothing can be received yet (an OfferMade follows when something can)."""

    async def set_feeds(self, person: str, feeds: Iterable[str],
                        room: Place | None = None) -> Offer | None:
        """Change what the subscriber receives (a table move is just this; `room` is
        the person's room now). Returns the new offer, or None when the SDP did not
        change or the engine will send it later as OfferMade (or, in a pool, ends
        the subscriber with Ended `moved`). Raises NotFound (no subscriber)."""

    async def answer(self, person: str, offer: int, sdp: str) -> None:
        """The browser's answer to subscriber offer `offer`. Raises Conflict (not the
        latest offer), NotFound, BadRequest."""

    async def unsubscribe(self, person: str) -> None:
        """End the subscriber. Raises NotFound."""

    async def trickle(self, person: str, pc: Pc, candidate: Candidate | None) -> None:
        """One browser candidate for its `pc` (None: no more). Raises NotFound, BadRequest."""

    async def mute(self, person: str, muted: bool) -> None:
        """A moderator's mute: while muted, the engine forwards none of the person's
        audio whatever their page sends, on this and any later publisher."""

    async def end(self, person: str) -> None:
        """End the person's publisher and subscriber, if any (no Ended events)."""
