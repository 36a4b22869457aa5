"""Raised hands on the stage: their order, who may raise and dismiss them, and what
lowers them (issue 12; no server, no loop, time passed by hand)."""

from __future__ import annotations

import pytest

from rooms.errors import Conflict, Forbidden, NotFound, RateLimited
from rooms.model import Role
from rooms.outbound import ToHosts, ToPerson
from tests.rooms.helpers import T0, arrive, make_event, messages


def hands_to_hosts(out):  # type: ignore[no-untyped-def]
    """The latest `hands` sent to hosts, as (person, at) pairs."""
    sent = messages(out, "hands")
    assert sent and all(m.to == ToHosts("fair") for m in sent)
    return [(h["person"], h["at"]) for h in sent[-1].data["hands"]]


def test_hands_queue_in_the_order_raised_with_their_time() -> None:
    """Hosts see hands oldest first, each with the time it went up; raising again keeps
    the place."""
    event = make_event()
    for pid in ("a", "b", "c"):
        arrive(event, pid)
    event.hands.raise_hand("b", T0 + 10)
    event.hands.raise_hand("a", T0 + 20)
    out = event.hands.raise_hand("c", T0 + 30)
    assert hands_to_hosts(out) == [("b", T0 + 10), ("a", T0 + 20), ("c", T0 + 30)]
    again = event.hands.raise_hand("b", T0 + 40)
    assert again.out == [] and again.reply["hand"] == {"raised": True, "at": T0 + 10,
                                                       "reason": None}
    assert [h["person"] for h in event.hands.queue()] == ["b", "a", "c"]
    assert event.hands.queue()[0]["name"] == "B"


def test_the_raiser_hears_their_own_hand() -> None:
    """Raising answers `{hand}` and sends `hand` to the raiser only."""
    event = make_event()
    arrive(event, "a")
    result = event.hands.raise_hand("a", T0 + 5)
    assert result.reply == {"hand": {"raised": True, "at": T0 + 5, "reason": None}}
    [own] = messages(result, "hand")
    assert own.to == ToPerson("a") and own.data["raised"] is True


def test_lowering_takes_the_hand_out_of_the_queue() -> None:
    """Lowering one's hand removes it; lowering a hand that is down changes nothing."""
    event = make_event()
    arrive(event, "a")
    arrive(event, "b")
    event.hands.raise_hand("a", T0)
    event.hands.raise_hand("b", T0 + 1)
    out = event.hands.lower_hand("a", T0 + 2)
    assert hands_to_hosts(out) == [("b", T0 + 1)]
    assert out.reply["hand"] == {"raised": False, "at": None, "reason": "lowered"}
    assert event.hands.lower_hand("a", T0 + 3).out == []


def test_hosts_cannot_raise_and_tables_are_not_the_stage() -> None:
    """A host speaks without a hand (forbidden); at a table there is no stage (conflict);
    someone not on the floor is not_found."""
    event = make_event()
    arrive(event, "h", Role.HOST)
    arrive(event, "a")
    arrive(event, "m", Role.MODERATOR)
    with pytest.raises(Forbidden):
        event.hands.raise_hand("h", T0)
    event.enter("a", "t1", T0)
    with pytest.raises(Conflict):
        event.hands.raise_hand("a", T0)
    with pytest.raises(NotFound):
        event.hands.raise_hand("nobody", T0)
    assert event.hands.raise_hand("m", T0).reply["hand"]["raised"]  # a moderator may ask
    assert list(event.hands.raised) == ["m"]


def test_only_hosts_dismiss_and_only_raised_hands() -> None:
    """A host dismisses a raised hand and its owner hears why; anyone else is forbidden;
    a hand that is down is not_found."""
    event = make_event()
    arrive(event, "h", Role.HOST)
    arrive(event, "m", Role.MODERATOR)
    arrive(event, "a")
    arrive(event, "b")
    event.hands.raise_hand("a", T0)
    for actor in ("m", "b", "a"):
        with pytest.raises(Forbidden):
            event.hands.dismiss(actor, "a", T0)
    with pytest.raises(NotFound):
        event.hands.dismiss("h", "b", T0)
    action = event.hands.dismiss("h", "a", T0 + 1)
    assert (action.action, action.target) == ("hand:dismiss", "a")
    assert list(event.hands.raised) == ["a"]  # nothing changes before it is applied
    out = action.apply()
    assert hands_to_hosts(out) == []
    [own] = messages(out, "hand")
    assert own.to == ToPerson("a") and own.data == {"raised": False, "at": None,
                                                    "reason": "dismissed"}


def test_an_invitation_to_speak_lowers_the_hand() -> None:
    """`invited` lowers the hand with reason `invited`; without a hand it says nothing."""
    event = make_event()
    arrive(event, "a")
    event.hands.raise_hand("a", T0)
    out = event.hands.invited("a")
    assert hands_to_hosts(out) == []
    assert messages(out, "hand")[0].data["reason"] == "invited"
    assert event.hands.invited("a") == []


def test_leaving_the_stage_lowers_the_hand() -> None:
    """Going to a table, or being moved there, lowers the hand (`left`); others keep
    theirs in order."""
    event = make_event()
    arrive(event, "a")
    arrive(event, "b")
    event.hands.raise_hand("a", T0)
    event.hands.raise_hand("b", T0 + 1)
    moved = event.enter("a", "t1", T0 + 2)
    out = event.hands.follow(moved.out)
    assert hands_to_hosts(out) == [("b", T0 + 1)]
    assert messages(out, "hand")[0].data["reason"] == "left"


def test_a_dropped_connection_keeps_the_hand_until_grace_is_over() -> None:
    """Within grace (and on coming back) the hand stays up; past grace it goes down."""
    event = make_event(grace_ms=30_000)
    arrive(event, "a")
    arrive(event, "b")
    event.hands.raise_hand("a", T0)
    event.disconnect("a", T0 + 1_000)
    assert event.hands.follow(event.expire(T0 + 20_000)) == []
    _resumed, back = event.connect("a", T0 + 25_000)
    assert event.hands.follow(back) == []
    assert list(event.hands.raised) == ["a"]
    event.disconnect("a", T0 + 26_000)
    out = event.hands.follow(event.expire(T0 + 56_000))
    assert hands_to_hosts(out) == [] and event.hands.raised == {}


def test_a_kick_lowers_the_hand() -> None:
    """Someone removed from the event loses their place in the queue."""
    event = make_event()
    arrive(event, "h", Role.HOST)
    arrive(event, "a")
    event.hands.raise_hand("a", T0)
    kicked = event.kick("h", "a", "spam", False, T0 + 1).apply()
    event.hands.follow(kicked.out)
    assert event.hands.raised == {}


def test_raising_is_rate_limited() -> None:
    """Toggling a hand over and over is stopped (`hand` limit), and changes nothing."""
    event = make_event()
    arrive(event, "a")
    with pytest.raises(RateLimited):
        for i in range(20):
            event.hands.raise_hand("a", T0) if i % 2 == 0 else event.hands.lower_hand("a", T0)
    before = dict(event.hands.raised)
    with pytest.raises(RateLimited):
        event.hands.raise_hand("a", T0)
    assert event.hands.raised == before


def test_the_welcome_tells_hosts_the_queue_and_everyone_their_own_hand() -> None:
    """A host's welcome holds `hands`; anyone's holds their own `hand`."""
    event = make_event()
    arrive(event, "h", Role.HOST)
    arrive(event, "a")
    event.hands.raise_hand("a", T0 + 7)
    assert event.hands.welcome("h")["hands"] == [{"person": "a", "name": "A", "at": T0 + 7}]
    assert event.hands.welcome("a") == {"hand": {"raised": True, "at": T0 + 7,
                                                 "reason": None}}
