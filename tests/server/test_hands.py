"""Raised hands on the stage with the real server and real msgpack clients (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.config import load
from tests.conftest import Person, Server, running, write_config


def queue(data: dict[str, Any]) -> list[str]:
    return [h["person"] for h in data["hands"]]


async def host_and(server: Server, *names: str) -> tuple[Person, list[Person]]:
    host = await server.staff("host", "Hanna")
    await host.connect()
    return host, [await server.connected(n) for n in names]


async def test_hosts_see_hands_in_the_order_raised(server: Server) -> None:
    """Each raise reaches hosts as `hands`, oldest first with its time; the raiser's
    ack and `hand` say it is up; a host who connects later finds the queue in the
    welcome."""
    host, (anna, bert) = await host_and(server, "Anna", "Bert")
    first = await bert.call("hand:raise", {})
    assert first["ok"] and first["hand"]["raised"] and isinstance(first["hand"]["at"], int)
    await bert.seen.wait_for("hand", lambda d: d["raised"])
    assert (await anna.call("hand:raise", {}))["ok"]
    seen = await host.seen.wait_for("hands", lambda d: len(d["hands"]) == 2)
    assert queue(seen) == [bert.id, anna.id]
    assert [h["name"] for h in seen["hands"]] == ["Bert", "Anna"]
    assert seen["hands"][0]["at"] == first["hand"]["at"] <= seen["hands"][1]["at"]
    late = await server.staff("host", "Heikki")
    welcome = await late.connect()
    assert welcome is not None and queue(welcome["event"]) == [bert.id, anna.id]
    assert welcome["event"]["hand"]["raised"] is False
    assert not anna.seen.of("hands") and not bert.seen.of("hands")


async def test_moderators_do_not_get_the_queue(server: Server) -> None:
    """`hands` goes to hosts only; a moderator's welcome has no queue."""
    host, (anna,) = await host_and(server, "Anna")
    mod = await server.staff("moderator", "Mona")
    welcome = await mod.connect()
    assert welcome is not None and "hands" not in welcome["event"]
    assert (await anna.call("hand:raise", {}))["ok"]
    await host.seen.wait_for("hands", lambda d: queue(d) == [anna.id])
    assert (await mod.call("status", {"status": "busy"}))["ok"]  # a round trip
    assert not mod.seen.of("hands")


async def test_an_invitation_to_speak_lowers_the_hand(server: Server) -> None:
    """stage:invite answers a raised hand: the queue loses it, the owner hears `invited`."""
    host, (anna,) = await host_and(server, "Anna")
    assert (await anna.call("hand:raise", {}))["ok"]
    await host.seen.wait_for("hands", lambda d: queue(d) == [anna.id])
    assert (await host.call("stage:invite", {"person": anna.id}))["ok"]
    await host.seen.wait_for("hands", lambda d: queue(d) == [])
    hand = await anna.seen.wait_for("hand", lambda d: not d["raised"])
    assert hand["reason"] == "invited"
    await anna.seen.wait_for("stage", lambda d: anna.id in d["speakers"])


async def test_hosts_dismiss_and_others_are_forbidden(server: Server) -> None:
    """Only a host dismisses (others: forbidden, nothing changes); the owner hears
    `dismissed`; the dismissal is in the moderation log; a hand that is down is
    not_found."""
    host, (anna, bert) = await host_and(server, "Anna", "Bert")
    mod = await server.staff("moderator", "Mona")
    await mod.connect()
    assert (await anna.call("hand:raise", {}))["ok"]
    for someone in (bert, mod, anna):
        reply = await someone.call("hand:dismiss", {"person": anna.id})
        assert reply["error"]["code"] == "forbidden"
    assert [h["person"] for h in server.world().events["testfair"].hands.queue()] == [anna.id]
    assert (await host.call("hand:dismiss", {"person": anna.id}))["ok"]
    hand = await anna.seen.wait_for("hand", lambda d: not d["raised"])
    assert hand["reason"] == "dismissed"
    reply = await host.call("hand:dismiss", {"person": anna.id})
    assert (reply["error"]["code"], reply["error"]["field"]) == ("not_found", "person")
    async with server.world().storage.db.execute(
        "SELECT action, target FROM moderation_log WHERE action = 'hand:dismiss'") as cur:
        assert [tuple(r) for r in await cur.fetchall()] == [("hand:dismiss", anna.id)]


async def test_hosts_cannot_raise_and_tables_are_not_the_stage(server: Server) -> None:
    """A host's raise is forbidden; at a table it is conflict; lowering a hand that is
    down is fine."""
    host, (anna,) = await host_and(server, "Anna")
    assert (await host.call("hand:raise", {}))["error"]["code"] == "forbidden"
    welcome = anna.seen.of("welcome")[-1]
    table = next(r["id"] for r in welcome["rooms"] if r["kind"] == "table")
    assert (await anna.call("enter", {"room": table}))["ok"]
    assert (await anna.call("hand:raise", {}))["error"]["code"] == "conflict"
    reply = await anna.call("hand:lower", {})
    assert reply["ok"] and reply["hand"]["raised"] is False


@pytest.mark.parametrize("event, payload", [
    ("hand:raise", {"person": "x"}),
    ("hand:raise", "up"),
    ("hand:lower", [1]),
    ("hand:dismiss", {}),
    ("hand:dismiss", {"person": 5}),
    ("hand:dismiss", {"person": "x" * 65}),
    ("hand:dismiss", {"person": "a", "why": "no"}),
])
async def test_bad_payloads_are_bad_requests(server: Server, event: str, payload: Any) -> None:
    """Malformed hand requests are bad_request and change nothing."""
    host, (anna,) = await host_and(server, "Anna")
    assert (await anna.call("hand:raise", {}))["ok"]
    for someone in (host, anna):
        reply = await someone.call(event, payload)
        assert reply["error"]["code"] == "bad_request", reply
    assert list(server.world().events["testfair"].hands.raised) == [anna.id]


async def test_leaving_the_stage_lowers_the_hand(server: Server) -> None:
    """Going to a table lowers the hand: hosts see the queue without it, the owner
    hears `left`."""
    host, (anna, bert) = await host_and(server, "Anna", "Bert")
    assert (await anna.call("hand:raise", {}))["ok"]
    assert (await bert.call("hand:raise", {}))["ok"]
    await host.seen.wait_for("hands", lambda d: queue(d) == [anna.id, bert.id])
    table = next(r["id"] for r in anna.seen.of("welcome")[-1]["rooms"] if r["kind"] == "table")
    assert (await anna.call("enter", {"room": table}))["ok"]
    await host.seen.wait_for("hands", lambda d: queue(d) == [bert.id])
    hand = await anna.seen.wait_for("hand", lambda d: not d["raised"])
    assert hand["reason"] == "left"


async def test_a_hand_stays_up_in_grace_and_goes_down_past_it(tmp_path: Path) -> None:
    """A dropped connection keeps its hand (a reconnect finds it in the welcome); once
    grace is over the hand goes down."""
    config = load(write_config(tmp_path, grace=1.0))
    async with running(config) as server:
        host, (anna, bert) = await host_and(server, "Anna", "Bert")
        assert (await anna.call("hand:raise", {}))["ok"]
        assert (await bert.call("hand:raise", {}))["ok"]
        await anna.close()
        welcome = await anna.connect()
        assert welcome is not None and welcome["event"]["hand"]["raised"] is True
        sent = len(host.seen.of("hands"))
        await bert.close()
        await host.seen.wait_for(
            "hands", lambda d: len(host.seen.of("hands")) > sent and queue(d) == [anna.id],
            timeout=5)
        assert [h["person"] for h in server.world().events["testfair"].hands.queue()] == [
            anna.id]
