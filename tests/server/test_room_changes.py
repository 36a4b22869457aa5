"""Compact clients (CONNECT auth `compact: true`) get a table's comings and goings as
one `room:changes` a tick; the others keep `room:joined` / `room:left` per person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.config import load
from tests.conftest import Person, Server, running, write_config


def named(person: str) -> Any:
    return lambda d: any(j["person"]["id"] == person for j in d["joined"])


async def at_table(person: Person, room: str) -> None:
    reply = await person.call("enter", {"room": room})
    assert reply["ok"], reply


async def test_compact_members_get_room_changes_and_the_others_per_person(
    server: Server,
) -> None:
    """Anna (compact) hears Cecilia come and go in room:changes, Bert (not) in
    room:joined and room:left; neither hears the other form."""
    anna, bert, cecilia = [await server.join(n) for n in ("Anna", "Bert", "Cecilia")]
    welcome = await anna.connect(compact=True)
    assert welcome is not None
    await bert.connect()
    await cecilia.connect(compact=True)
    room = welcome["rooms"][2]["id"]
    await at_table(anna, room)
    await at_table(bert, room)
    await at_table(cecilia, room)
    came = await anna.seen.wait_for("room:changes", named(cecilia.id))
    entry = next(j for j in came["joined"] if j["person"]["id"] == cecilia.id)
    assert came["room"] == room and entry["person"]["name"] == "Cecilia"
    assert isinstance(entry["x"], int) and isinstance(entry["y"], int)
    await bert.seen.wait_for("room:joined", lambda d: d["person"]["id"] == cecilia.id)
    await at_table(cecilia, welcome["event"]["lobby"])
    await anna.seen.wait_for("room:changes", lambda d: cecilia.id in d["left"])
    await bert.seen.wait_for("room:left", lambda d: d["person"] == cecilia.id)
    assert anna.seen.of("room:joined") == [] and anna.seen.of("room:left") == []
    assert bert.seen.of("room:changes") == []


async def test_a_newcomers_moves_never_precede_their_arrival(server: Server) -> None:
    """Bert enters and moves at once: Anna's room:changes naming him comes before any
    positions naming him."""
    anna, bert = [await server.join(n) for n in ("Anna", "Bert")]
    welcome = await anna.connect(compact=True)
    assert welcome is not None
    await bert.connect(compact=True)
    room = welcome["rooms"][1]["id"]
    await at_table(anna, room)
    for step in range(2):  # as often as the `enter` rate allows
        await at_table(bert, room)
        await bert.emit("move", {"x": 100 + step, "y": 100})
        await anna.seen.wait_for("positions", lambda d, s=step: [bert.id, 100 + s, 100] in d["p"])
        await at_table(bert, welcome["event"]["lobby"])
        await anna.seen.wait_for("room:changes", lambda d: bert.id in d["left"])
    order = [(n, d) for n, d in anna.seen.events if n in ("room:changes", "positions")]
    present = False
    for name, data in order:
        if name == "room:changes":
            present = named(bert.id)(data) or (present and bert.id not in data["left"])
        elif any(p[0] == bert.id for p in data["p"]):
            assert present, order


@pytest.mark.parametrize("value", ["true", 1, None, {"x": 1}])
async def test_anything_but_true_is_as_absent(server: Server, value: Any) -> None:
    """`compact` that is not `true` gets the per-person events."""
    anna, bert = [await server.join(n) for n in ("Anna", "Bert")]
    welcome = await anna.connect(compact=value)
    assert welcome is not None
    await bert.connect()
    await at_table(anna, welcome["rooms"][1]["id"])
    await at_table(bert, welcome["rooms"][1]["id"])
    await anna.seen.wait_for("room:joined", lambda d: d["person"]["id"] == bert.id)
    assert anna.seen.of("room:changes") == []


async def test_room_changes_off_sends_per_person_events_to_all(tmp_path: Path) -> None:
    """With `[tuning] room_changes = false`, a compact client gets room:joined too."""
    path = write_config(tmp_path, extra="\n[tuning]\nroom_changes = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        anna, bert = [await srv.join(n) for n in ("Anna", "Bert")]
        welcome = await anna.connect(compact=True)
        assert welcome is not None
        await bert.connect(compact=True)
        await at_table(anna, welcome["rooms"][1]["id"])
        await at_table(bert, welcome["rooms"][1]["id"])
        await anna.seen.wait_for("room:joined", lambda d: d["person"]["id"] == bert.id)
        assert anna.seen.of("room:changes") == []
