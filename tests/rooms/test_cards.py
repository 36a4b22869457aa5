"""Card exchange rules on the domain: consent, conflicts, mutual requests, erasure."""

from __future__ import annotations

import pytest

from rooms.cards import CardLimits, CardRequest, Exchange
from rooms.errors import BadRequest, Conflict, NotFound, RateLimited
from rooms.outbound import EndSession, ToPerson
from rooms.ratelimit import Rate
from tests.rooms.helpers import T0, arrive, make_event, messages


def ask(event, sender: str, to: str, now: int = T0) -> CardRequest:  # type: ignore[no-untyped-def]
    plan = event.plan_card_request(sender, to, now)
    assert isinstance(plan, CardRequest)
    event.add_card_request(plan)
    return plan


def test_request_reaches_only_the_addressee_without_the_card() -> None:
    """card:requested goes to the addressee and carries the public person, no card."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    plan = event.plan_card_request("anna", "bert", T0)
    assert isinstance(plan, CardRequest) and plan.room == "lobby"
    out = event.add_card_request(plan)
    [msg] = messages(out)
    assert msg.to == ToPerson("bert") and msg.name == "card:requested"
    assert msg.data["from"]["id"] == "anna" and "email" not in msg.data["from"]
    assert event.requests_for("bert") == [msg.data]
    assert event.requests_for("anna") == []


def test_accept_gives_both_the_others_card() -> None:
    """Accepting sends each side the other's card and makes them contacts."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    request = ask(event, "anna", "bert")
    plan = event.plan_card_response("bert", request.id, True, T0 + 1)
    assert isinstance(plan, Exchange)
    result = event.complete_exchange(plan)
    contact, out = result.reply["contact"], result.out
    assert contact["person"] == "anna" and contact["card"]["name"] == "Anna"
    to_anna = next(m for m in messages(out) if m.to == ToPerson("anna"))
    assert to_anna.name == "card:exchanged" and to_anna.data["person"] == "bert"
    assert to_anna.data["met_in"] == "lobby"
    assert event.card_requests == {}
    with pytest.raises(Conflict):
        event.plan_card_request("bert", "anna", T0)


def test_decline_tells_the_requester() -> None:
    """Declining drops the request and sends card:declined to the requester only."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    request = ask(event, "anna", "bert")
    plan = event.plan_card_response("bert", request.id, False, T0)
    [msg] = messages(event.decline(plan))  # type: ignore[arg-type]
    assert msg.to == ToPerson("anna") and msg.data == {"request": request.id}
    assert event.card_requests == {}


def test_mutual_requests_exchange_at_once() -> None:
    """When the addressee had already asked, asking back is an exchange."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    first = ask(event, "anna", "bert")
    plan = event.plan_card_request("bert", "anna", T0 + 5)
    assert isinstance(plan, Exchange) and plan.request == first.id
    assert (plan.requester, plan.accepter) == ("anna", "bert")


def test_asking_twice_is_asking_once() -> None:
    """A second request to the same person returns the pending one."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    first = ask(event, "anna", "bert")
    assert event.plan_card_request("anna", "bert", T0 + 1) == first


def test_bad_card_requests_change_nothing() -> None:
    """Oneself and existing contacts are conflict; unknown people not_found."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    with pytest.raises(Conflict):
        event.plan_card_request("anna", "anna", T0)
    with pytest.raises(NotFound):
        event.plan_card_request("anna", "nobody", T0)
    event.restore_contact("anna", "bert")
    with pytest.raises(Conflict):
        event.plan_card_request("anna", "bert", T0)
    assert event.card_requests == {}


def test_only_the_addressee_can_answer_and_only_once() -> None:
    """Answering someone else's or an answered request is not_found."""
    event = make_event()
    for pid in ("anna", "bert", "cai"):
        arrive(event, pid)
    request = ask(event, "anna", "bert")
    for who in ("anna", "cai"):
        with pytest.raises(NotFound):
            event.plan_card_response(who, request.id, True, T0)
    plan = event.plan_card_response("bert", request.id, True, T0)
    event.complete_exchange(plan)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        event.plan_card_response("bert", request.id, True, T0)


def test_card_requests_are_rate_limited() -> None:
    """Past the card burst, new requests are rate_limited."""
    event = make_event()
    arrive(event, "anna")
    burst = int(event.limits.rates["card"].burst)
    for i in range(burst):
        arrive(event, f"p{i}")
        ask(event, "anna", f"p{i}")
    arrive(event, "late")
    with pytest.raises(RateLimited):
        event.plan_card_request("anna", "late", T0)


def test_erase_removes_person_requests_and_contacts() -> None:
    """erase ends the session, leaves the floor and forgets requests and contacts."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    ask(event, "anna", "bert")
    event.restore_contact("anna", "cai")
    out = event.erase("anna", T0)
    assert isinstance(out[0], EndSession)
    assert "anna" not in event.people and event.card_requests == {}
    assert event.contacts == set()
    assert "anna" not in event.lobby.occupants


def test_erase_drops_the_persons_lines_from_chat_history() -> None:
    """After erasure no room's chat history holds a line of the erased person."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    for who in ("anna", "bert", "anna"):
        event.say(who, f"hello from {who}", T0)
    event.erase("anna", T0 + 1)
    history = event.lobby.detail()["chat"]
    assert [line["from"] for line in history] == ["bert"]
    assert event.lobby.chat.maxlen is not None


def test_visits_are_recorded_for_the_report() -> None:
    """Entering and leaving rooms leaves Visit facts, drained once."""
    event = make_event()
    arrive(event, "anna")
    event.enter("anna", "t1", T0 + 1000)
    visits = event.drain_visits()
    assert [(v.room, v.entered, v.at) for v in visits] == [
        ("lobby", True, T0), ("lobby", False, T0 + 1000), ("t1", True, T0 + 1000)]
    assert event.drain_visits() == []


# --- caps and paging ---------------------------------------------------------------


def crowd(event, n: int, prefix: str = "p") -> list[str]:  # type: ignore[no-untyped-def]
    """n people on the floor whose card rate limit will not get in the way."""
    event.limits.rates["card"] = Rate(burst=10_000, per_second=10_000)
    ids = [f"{prefix}{i:03d}" for i in range(n)]
    for pid in ids:
        arrive(event, pid)
    return ids


def test_requests_per_addressee_are_capped() -> None:
    """Past `per_addressee` pending requests for one person, more are conflict and change
    nothing; an answer makes room again."""
    event = make_event(card_limits=CardLimits(per_addressee=3, per_requester=50))
    arrive(event, "star")
    senders = crowd(event, 4)
    first = [ask(event, pid, "star", T0 + i) for i, pid in enumerate(senders[:3])]
    with pytest.raises(Conflict) as refused:
        event.plan_card_request(senders[3], "star", T0 + 10)
    assert refused.value.field == "to" and "too many" in refused.value.message
    assert len(event.card_requests) == 3
    plan = event.plan_card_response("star", first[0].id, False, T0 + 11)
    assert isinstance(plan, CardRequest)
    event.decline(plan)
    assert isinstance(ask(event, senders[3], "star", T0 + 12), CardRequest)


def test_requests_per_requester_are_capped() -> None:
    """Past `per_requester` unanswered requests of one person, their next is conflict;
    asking back someone who asked (an exchange) is still allowed."""
    event = make_event(card_limits=CardLimits(per_addressee=200, per_requester=2))
    arrive(event, "eager")
    others = crowd(event, 4)
    ask(event, "eager", others[0])
    ask(event, "eager", others[1])
    with pytest.raises(Conflict):
        event.plan_card_request("eager", others[2], T0)
    ask(event, others[3], "eager")
    assert isinstance(event.plan_card_request("eager", others[3], T0), Exchange)
    assert isinstance(event.plan_card_request("eager", others[0], T0), CardRequest)


def test_welcome_carries_the_newest_requests_and_pages_the_rest() -> None:
    """The welcome holds the newest `welcome` requests (oldest first) with the total and
    a cursor; requests_page walks back through the rest without gaps or repeats."""
    event = make_event(card_limits=CardLimits(per_addressee=200, welcome=4))
    arrive(event, "star")
    senders = crowd(event, 10)
    for i, pid in enumerate(senders):
        ask(event, pid, "star", T0 + i // 3)  # some share a millisecond
    welcome = event.welcome("star")
    assert welcome["requests_total"] == 10
    assert [r["from"]["id"] for r in welcome["requests"]] == senders[6:]
    seen = [r["from"]["id"] for r in welcome["requests"]]
    cursor = welcome["requests_next"]
    while cursor is not None:
        page, cursor = event.requests_page("star", cursor, 3)
        seen = [r["from"]["id"] for r in page] + seen
    assert seen == senders
    nobody = event.welcome("p000")
    assert nobody["requests"] == [] and nobody["requests_next"] is None
    with pytest.raises(BadRequest):
        event.requests_page("star", "not-a-cursor")
