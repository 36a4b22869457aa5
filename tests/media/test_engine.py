"""The Janus engine through the media port, with real Janus and real aiortc peers:
what is published reaches the subscribers the server names, and only them."""

from __future__ import annotations

import os
import signal

import pytest
from aiortc import RTCPeerConnection

from rooms.errors import BadRequest, Conflict, NotFound
from server.media.janus_engine import JanusEngine
from server.media.port import (
    Connected,
    Ended,
    EngineState,
    FeedChanged,
    Offer,
    OfferMade,
    Sends,
    Stream,
)
from tests.media.conftest import Events
from tests.media.peers import Receiver, accept_answer, publisher_offer

Engine = tuple[JanusEngine, Events]
EVENT = "fair"


async def publish(engine: Engine, person: str, video: bool = False) -> RTCPeerConnection:
    """Publish from a new peer and wait until the engine says the feed is live."""
    media, events = engine
    pc, offer = await publisher_offer(video=video)
    answer = await media.publish(EVENT, person, offer, Sends(audio=True, video=video))
    await accept_answer(pc, answer)
    await events.wait_for(lambda e: e == FeedChanged(EVENT, person, True))
    return pc


async def next_offer(events: Events, person: str, after: int) -> Offer:
    made = await events.wait_for(
        lambda e: isinstance(e, OfferMade) and e.offer.person == person and e.offer.id > after)
    offer: Offer = made.offer
    return offer


async def settle(engine: Engine, receiver: Receiver, person: str, offer: Offer | None,
                 after: int = 0) -> Offer:
    """Answer `offer`, or the engine's next offer when the call returned None."""
    media, events = engine
    if offer is None:
        offer = await next_offer(events, person, after)
    await media.answer(person, offer.id, await receiver.answer(offer))
    return offer


async def test_subscriber_receives_a_publishers_tone_and_video(engine: Engine) -> None:
    """Subscribing before anyone publishes gives no offer; the publisher going live makes
    the engine offer by itself; audio and video frames are decoded at the subscriber."""
    media, events = engine
    bob = Receiver()
    assert await media.subscribe(EVENT, "bob", ["alice", "bob"]) is None
    alice = await publish(engine, "alice", video=True)
    offer = await settle(engine, bob, "bob", None)
    assert sorted(offer.streams, key=lambda s: s.kind) == [
        Stream(offer.streams[0].mid, "alice", "audio"),
        Stream(offer.streams[1].mid, "alice", "video")]
    await bob.grows("alice", "audio", 50)
    await bob.grows("alice", "video", 5)
    await events.wait_for(lambda e: e == Connected("bob", "subscriber"))
    await events.wait_for(lambda e: e == Connected("alice", "publisher"))
    await bob.close()
    await alice.close()


async def test_set_feeds_removes_and_restores_a_feed(engine: Engine) -> None:
    """Removing a feed stops its audio while another keeps flowing; adding it back
    renegotiates the same connection and its audio flows again."""
    media, _ = engine
    alice, carol = await publish(engine, "alice"), await publish(engine, "carol")
    bob = Receiver()
    first = await media.subscribe(EVENT, "bob", ["alice", "carol"])
    offer = await settle(engine, bob, "bob", first)
    assert {s.person for s in offer.streams} == {"alice", "carol"}
    await bob.grows("alice", "audio", 25)
    await bob.grows("carol", "audio", 25)

    offer = await settle(engine, bob, "bob", await media.set_feeds("bob", ["carol"]), offer.id)
    assert {s.person for s in offer.streams} == {"carol"}
    await bob.grows("carol", "audio", 25)  # what was in flight has arrived
    before = bob.count("alice", "audio")
    await bob.grows("carol", "audio", 50)
    assert bob.count("alice", "audio") == before

    offer = await settle(engine, bob, "bob", await media.set_feeds("bob", ["alice", "carol"]),
                         offer.id)
    assert {s.person for s in offer.streams} == {"alice", "carol"}
    await bob.grows("alice", "audio", 25)
    for pc in (alice, carol):
        await pc.close()
    await bob.close()


async def test_publisher_leaving_makes_the_engine_reoffer(engine: Engine) -> None:
    """Unpublishing ends the feed: its subscribers get an offer without it (OfferMade)."""
    media, events = engine
    alice, carol = await publish(engine, "alice"), await publish(engine, "carol")
    bob = Receiver()
    first = await media.subscribe(EVENT, "bob", ["alice", "carol"])
    offer = await settle(engine, bob, "bob", first)
    await media.unpublish("alice")
    await events.wait_for(lambda e: e == FeedChanged(EVENT, "alice", False))
    offer = await settle(engine, bob, "bob", None, offer.id)
    assert {s.person for s in offer.streams} == {"carol"}
    await bob.grows("carol", "audio", 25)
    for pc in (alice, carol):
        await pc.close()
    await bob.close()


async def test_mute_stops_forwarding_and_unmute_restores_it(engine: Engine) -> None:
    """A moderator's mute stops Janus forwarding the person's audio while their peer
    keeps sending; others still flow; the unmute restores it."""
    media, _ = engine
    alice, carol = await publish(engine, "alice"), await publish(engine, "carol")
    bob = Receiver()
    await settle(engine, bob, "bob", await media.subscribe(EVENT, "bob", ["alice", "carol"]))
    await bob.grows("alice", "audio", 25)

    await media.mute("alice", True)
    await bob.grows("carol", "audio", 25)
    before = bob.count("alice", "audio")
    await bob.grows("carol", "audio", 50)
    assert bob.count("alice", "audio") == before

    await media.mute("alice", False)
    await bob.grows("alice", "audio", 25)
    for pc in (alice, carol):
        await pc.close()
    await bob.close()


async def test_bad_input_is_refused_and_changes_nothing(engine: Engine) -> None:
    """Malformed SDP or candidates, a second publisher, a stale answer and calls for
    connections that do not exist get the contract's errors."""
    media, _ = engine
    with pytest.raises(BadRequest):
        await media.publish(EVENT, "alice", "hello", Sends(audio=True))
    with pytest.raises(BadRequest):  # well-formed enough for us, not for Janus
        await media.publish(EVENT, "alice", "v=0\r\nm=audio 9 RTP 0\r\na=mid:0\r\n", Sends())
    alice = await publish(engine, "alice")
    pc, offer = await publisher_offer(video=False)
    with pytest.raises(Conflict):
        await media.publish(EVENT, "alice", offer, Sends(audio=True))
    await pc.close()
    with pytest.raises(BadRequest):
        await media.trickle("alice", "publisher", {"candidate": 5})
    await media.trickle("alice", "publisher", None)
    for call in (media.trickle("zed", "subscriber", None), media.set_feeds("zed", []),
                 media.unpublish("zed"), media.unsubscribe("zed"),
                 media.update_publisher("zed", Sends())):
        with pytest.raises(NotFound):
            await call
    bob = Receiver()
    offer_ = await media.subscribe(EVENT, "bob", ["alice"])
    assert offer_ is not None
    with pytest.raises(Conflict):
        await media.answer("bob", offer_.id + 1, await bob.answer(offer_))
    await media.answer("bob", offer_.id, bob.pc.localDescription.sdp)
    await bob.grows("alice", "audio", 10)
    await alice.close()
    await bob.close()


async def test_janus_killed_mid_call_is_reported_and_calls_can_resume(engine: Engine) -> None:
    """Janus killed: every connection Ends (reason engine), the engine reports down and
    up again after the supervisor's restart, and a new call then carries audio."""
    media, events = engine
    alice = await publish(engine, "alice")
    bob = Receiver()
    await settle(engine, bob, "bob", await media.subscribe(EVENT, "bob", ["alice"]))
    await bob.grows("alice", "audio", 10)
    assert media.managed is not None and media.managed.pid is not None
    os.kill(media.managed.pid, signal.SIGKILL)
    await events.wait_for(lambda e: e == Ended("alice", "publisher", "engine"))
    await events.wait_for(lambda e: e == Ended("bob", "subscriber", "engine"))
    await events.wait_for(lambda e: e == EngineState(up=False))
    await events.wait_for(lambda e: e == EngineState(up=True), timeout=15)
    assert media.up and media.managed.restarts == 1
    for pc in (alice, bob):
        await pc.close()

    alice = await publish(engine, "alice")
    bob = Receiver()
    await settle(engine, bob, "bob", await media.subscribe(EVENT, "bob", ["alice"]))
    await bob.grows("alice", "audio", 10)
    await alice.close()
    await bob.close()
