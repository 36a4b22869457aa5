"""Calls through the real server: Socket.IO signalling relayed to a Janus the server
started itself, with aiortc peers standing in for browsers (issue 11)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from server.config import load
from server.media.managed import free_port
from server.media.port import Offer, Stream
from tests.conftest import Person, Server, running, write_config
from tests.media.peers import Receiver, accept_answer, publisher_offer


def media_config(tmp_path: Path) -> Path:
    low = free_port() // 2 * 2
    return write_config(tmp_path, media=f"rtp_ports = [{low}, {min(low + 99, 65535)}]")


def offer_of(payload: dict[str, Any], person: str) -> Offer:
    streams = tuple(Stream(s["mid"], s["person"], s["kind"]) for s in payload["streams"])
    return Offer(person, int(payload["offer"]), payload["sdp"], streams)


async def seated(server: Server, name: str, room: str | None = None) -> Person:
    person = await server.connected(name)
    if room is not None:
        assert (await person.call("enter", {"room": room}))["ok"]
    return person


async def hear(person: Person, receiver: Receiver, count: int) -> int:
    """Once the person has had `count` media:offers, answer the latest (only the latest
    may be answered); returns how many offers that answer covers."""
    await person.seen.wait_for(
        "media:offer", lambda _: len(person.seen.of("media:offer")) >= count, timeout=15)
    offers = person.seen.of("media:offer")
    payload = offers[-1]
    sdp = await receiver.answer(offer_of(payload, person.id))
    ack = await person.call("media:answer", {"offer": payload["offer"], "sdp": sdp})
    assert ack["ok"], ack
    return len(offers)


async def publish(person: Person, video: bool = False) -> Any:
    pc, sdp = await publisher_offer(video=video)
    ack = await person.call("media:publish", {"sdp": sdp, "audio": True, "video": video},
                            timeout=15)
    assert ack["ok"], ack
    await accept_answer(pc, ack["sdp"])
    return pc


@dataclasses.dataclass
class TableCall:
    """Aino publishing at a table and Bert there hearing her through his peer."""

    aino: Person
    bert: Person
    ears: Receiver
    pc: Any

    async def close(self) -> None:
        await self.pc.close()
        await self.ears.close()


async def table_call(server: Server, room: str) -> TableCall:
    aino = await seated(server, "Aino", room)
    bert = await seated(server, "Bert", room)
    ears = Receiver()
    await bert.call("media:subscribe", {})
    pc = await publish(aino)
    await hear(bert, ears, 1)
    await ears.grows(aino.id, "audio", 10, timeout=15)
    return TableCall(aino, bert, ears, pc)


async def test_people_at_a_table_hear_each_other_and_nobody_else_does(tmp_path: Path) -> None:
    """Aino publishes at her table; Bert there receives her audio; Cecilia at another
    table is offered nothing; the table heard of Aino's streams."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        rooms = server.world().event("testfair").info()["rooms"]
        t1, t2 = rooms[1]["id"], rooms[2]["id"]
        aino = await seated(server, "Aino", t1)
        bert = await seated(server, "Bert", t1)
        cecilia = await seated(server, "Cecilia", t2)
        welcome = await bert.welcome()
        assert welcome["event"]["media"]["enabled"] is True
        assert welcome["event"]["media"]["hearing"] == {"full": 150, "silent": 450}

        ears = Receiver()
        assert (await bert.call("media:subscribe", {}))["ok"]
        assert (await cecilia.call("media:subscribe", {}))["ok"]
        pc = await publish(aino)
        streams = await bert.seen.wait_for("media:streams", lambda d: d["publishers"])
        assert streams == {"room": t1, "publishers": [
            {"person": aino.id, "audio": True, "video": False, "screen": False}]}
        await hear(bert, ears, 1)
        await ears.grows(aino.id, "audio", 25, timeout=15)
        assert cecilia.seen.of("media:offer") == []
        assert cecilia.seen.of("media:streams") == []
        await pc.close()
        await ears.close()


async def test_moving_away_ends_the_publisher_and_refeeds_the_table(tmp_path: Path) -> None:
    """When Aino moves to another table her publisher ends (`media:ended`, moved) and
    Bert's subscriber is offered the table without her."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        rooms = server.world().event("testfair").info()["rooms"]
        t1, t2 = rooms[1]["id"], rooms[2]["id"]
        call = await table_call(server, t1)
        aino, bert, ears, pc = call.aino, call.bert, call.ears, call.pc

        assert (await aino.call("enter", {"room": t2}))["ok"]
        ended = await aino.seen.wait_for("media:ended")
        assert ended == {"pc": "publisher", "reason": "moved"}
        gone = await bert.seen.wait_for("media:streams", lambda d: d["publishers"] == [])
        assert gone["room"] == t1
        # a publish again works at the new table
        pc2 = await publish(aino)
        await pc.close()
        await pc2.close()
        await ears.close()


async def test_a_moderators_mute_reaches_the_engine(tmp_path: Path) -> None:
    """A moderator's mute stops Aino's audio reaching Bert while her peer keeps sending;
    the unmute restores it; a muted publish with audio is refused."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        rooms = server.world().event("testfair").info()["rooms"]
        t1 = rooms[1]["id"]
        mod = await server.staff("moderator", "Moa")
        await mod.connect()
        aino = await seated(server, "Aino", t1)
        bert = await seated(server, "Bert", t1)
        cecilia = await seated(server, "Cecilia", t1)
        ears = Receiver()
        await bert.call("media:subscribe", {})
        pa = await publish(aino)
        pc = await publish(cecilia)
        answered = 0
        while {s.person for s in ears.streams.values()} < {aino.id, cecilia.id}:
            # both publishers in one offer, or one offer each
            answered = await hear(bert, ears, answered + 1)
        await ears.grows(aino.id, "audio", 25, timeout=15)

        assert (await mod.call("mod:mute", {"person": aino.id}))["ok"]
        await ears.grows(cecilia.id, "audio", 25)
        before = ears.count(aino.id, "audio")
        await ears.grows(cecilia.id, "audio", 50)
        assert ears.count(aino.id, "audio") == before

        assert (await mod.call("mod:unmute", {"person": aino.id}))["ok"]
        await ears.grows(aino.id, "audio", 25, timeout=15)
        for peer in (pa, pc):
            await peer.close()
        await ears.close()


async def test_media_requests_refuse_what_the_rules_forbid(tmp_path: Path) -> None:
    """The stage takes only hosts and invited speakers; malformed SDP and candidates are
    bad_request; a second publish is conflict; a muted person cannot publish audio;
    answering an unknown offer is refused; and nothing of it changes the call."""
    async with running(load(media_config(tmp_path), database=tmp_path / "k.db")) as server:
        rooms = server.world().event("testfair").info()["rooms"]
        t1 = rooms[1]["id"]
        host = await server.staff("host", "Hanna")
        await host.connect()
        aino = await seated(server, "Aino")  # in the lobby: the stage
        offering, sdp = await publisher_offer(video=False)
        ack = await aino.call("media:publish", {"sdp": sdp, "audio": True})
        assert ack["error"]["code"] == "forbidden"
        assert (await host.call("stage:invite", {"person": aino.id}))["ok"]
        stage = await aino.seen.wait_for("stage")
        assert stage == {"speakers": [aino.id]}
        for bad in ({"sdp": "nonsense", "audio": True}, {"sdp": sdp}, {"audio": True},
                    {"sdp": sdp, "audio": "yes"}, [1, 2], None):
            ack = await aino.call("media:publish", bad)
            assert ack["error"]["code"] == "bad_request", bad
        pc = await publish(aino)
        ack = await aino.call("media:publish", {"sdp": sdp, "audio": True})
        assert ack["error"]["code"] == "conflict"
        for bad in ({"pc": "x", "candidate": None}, {"pc": "publisher", "candidate": 5},
                    {"pc": "publisher", "candidate": {"candidate": "evil"}}):
            ack = await aino.call("media:candidate", bad)
            assert ack["error"]["code"] == "bad_request", bad
        ack = await aino.call("media:answer", {"offer": "99", "sdp": sdp})
        assert ack["error"]["code"] in ("not_found", "conflict")
        assert (await host.call("stage:remove", {"person": aino.id}))["ok"]
        ended = await aino.seen.wait_for("media:ended")
        assert ended == {"pc": "publisher", "reason": "stage_removed"}
        bert = await seated(server, "Bert", t1)
        ack = await bert.call("stage:invite", {"person": aino.id})
        assert ack["error"]["code"] == "forbidden"
        log = await server.world().storage.staff.moderation("testfair", 10)
        assert [(row["action"], row["target"]) for row in log[:2]] == [
            ("stage:remove", aino.id), ("stage:invite", aino.id)]
        await pc.close()
        await offering.close()


async def test_without_an_engine_media_is_unavailable_and_the_rest_works(
        tmp_path: Path) -> None:
    """With `[media] enabled = false` the welcome says so, every media request is
    `unavailable`, and chat still works."""
    async with running(load(write_config(tmp_path), database=tmp_path / "k.db")) as server:
        aino = await server.connected("Aino")
        welcome = await aino.welcome()
        assert welcome["event"]["media"] == {"enabled": False, "ice_servers": [],
                                             "max_video": 9,
                                             "hearing": {"full": 150, "silent": 450}}
        offering, sdp = await publisher_offer(video=False)
        for name, payload in (("media:publish", {"sdp": sdp, "audio": True}),
                              ("media:subscribe", {})):
            ack = await aino.call(name, payload)
            assert ack["error"]["code"] == "unavailable", name
        assert (await aino.call("say", {"text": "hei"}))["ok"]
        await offering.close()
