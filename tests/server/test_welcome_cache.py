"""The welcome spliced from each person's kept encoding (`[tuning] welcome_cache`)
decodes equal to the one python-socketio packs, and follows people's changes."""

from __future__ import annotations

import random
from pathlib import Path

import msgpack
from socketio import packet as sio_packet

from rooms.model import Person, Role, Status
from rooms.profile import Profile
from server.config import load
from server.realtime.packet import Packet
from server.realtime.welcome import PeopleBytes, encode_welcome
from tests.conftest import Server, running, write_config

_WORDS = ["Anna", "Bert", "Åsa", "Ülle", "名前", "", "x" * 300, "O'Brien \"quoted\""]


def random_person(rng: random.Random, n: int) -> Person:
    person = Person(
        f"p{n}", rng.choice(list(Role)),
        Profile(name=rng.choice(_WORDS) or "N", organization=rng.choice(_WORDS),
                title=rng.choice(_WORDS),
                interests=tuple(rng.sample(_WORDS[:5], rng.randint(0, 3)))),
        status=rng.choice(list(Status)), muted=rng.random() < 0.2,
        room=rng.choice(["lobby", "t1", None, "t" * 40]),
        photo=rng.choice([None, 1, 2**40]),
    )
    return person


def test_spliced_welcome_decodes_equal_to_the_packed_one() -> None:
    """For random people and welcomes, the spliced packet decodes to exactly what
    python-socketio's msgpack packet of the whole welcome decodes to."""
    rng = random.Random(14)
    cache = PeopleBytes()
    for case in range(200):
        people = [random_person(rng, n) for n in range(rng.choice([0, 1, 2, 15, 16, 70000 // 500]))]
        welcome = {"event": {"slug": "f", "n": case, "room_size": [1000, 800]},
                   "me": {"id": "p0", "card": {}, "muted_until": None},
                   "rooms": [{"id": "lobby", "count": len(people)}], "room": None,
                   "requests": [], "rounds": None, "rounds_in": rng.random() < 0.5}
        full = {**welcome, "people": [p.wire() for p in people]}
        plain = Packet(sio_packet.EVENT, namespace="/", data=["welcome", full]).encode()
        spliced = encode_welcome(welcome, cache.all(people))
        assert msgpack.loads(spliced) == msgpack.loads(plain)
        decoded = Packet(encoded_packet=spliced)
        assert decoded.data == ["welcome", full] and decoded.namespace == "/"


def test_kept_encodings_follow_every_wire_change() -> None:
    """Status, name, photo, room, mute and role changes each give a new encoding;
    a change outside the wire shape keeps the old one."""
    person = Person("p1", Role.ATTENDEE, Profile(name="Anna"), room="lobby")
    cache = PeopleBytes()
    before = cache.of(person)
    person.connected = True
    person.dropped_at = 5
    assert cache.of(person) is before
    for change in (
        lambda: setattr(person, "status", Status.BUSY),
        lambda: setattr(person, "profile", Profile(name="Anni")),
        lambda: setattr(person, "photo", 3),
        lambda: setattr(person, "room", "t1"),
        lambda: setattr(person, "muted", True),
        lambda: setattr(person, "role", Role.MODERATOR),
    ):
        change()
        assert msgpack.loads(cache.of(person)) == person.wire()
    # the same id for another record (a person erased and joined again) is not reused
    again = Person("p1", Role.ATTENDEE, Profile(name="Other"), room="lobby")
    assert msgpack.loads(cache.of(again))["name"] == "Other"


def test_departed_people_are_forgotten() -> None:
    """Once the kept outnumber those present by enough, the absent are dropped."""
    people = [Person(f"p{n}", Role.ATTENDEE, Profile(name=f"N{n}"), room="lobby")
              for n in range(100)]
    cache = PeopleBytes()
    cache.all(people)
    cache.all(people[:10])
    assert len(cache) == 10


async def test_next_welcome_has_a_changed_persons_new_values(tmp_path: Path) -> None:
    """After Anna changes status, table and name, Bert's welcome lists the new values,
    and the welcome is the same with the cache off."""
    for cached in (True, False):
        extra = "" if cached else "\n[tuning]\nwelcome_cache = false\n"
        folder = tmp_path / str(cached)
        folder.mkdir()
        path = write_config(folder, extra=extra)
        async with running(load(path, database=tmp_path / f"{cached}.db")) as srv:
            anna = await srv.connected("Anna")
            first = await srv.connected("Cecilia")
            listed = {p["id"]: p for p in (await first.welcome())["people"]}
            assert listed[anna.id]["status"] == "available"
            room = (await anna.welcome())["rooms"][1]["id"]
            assert (await anna.call("status", {"status": "busy"}))["ok"]
            assert (await anna.call("enter", {"room": room}))["ok"]
            async with srv.http.patch(srv.url + "/api/me", json={"name": "Anni"},
                                      headers={"Authorization": f"Bearer {anna.token}"}) as resp:
                assert resp.status == 200, await resp.text()
            bert = await srv.connected("Bert")
            welcome = await bert.welcome()
            listed = {p["id"]: p for p in welcome["people"]}
            assert set(listed) == {anna.id, first.id, bert.id}
            assert listed[anna.id]["status"] == "busy"
            assert listed[anna.id]["room"] == room
            assert listed[anna.id]["name"] == "Anni"
            assert welcome["me"]["id"] == bert.id


async def test_welcome_cache_is_on_by_default(server: Server) -> None:
    """The namespace keeps encodings per event once a welcome was sent."""
    from server.keys import SIO

    await server.connected("Anna")
    namespace = server.app[SIO].namespace_handlers["/"]
    assert namespace._people_bytes is not None and len(namespace._people_bytes["testfair"]) == 1

