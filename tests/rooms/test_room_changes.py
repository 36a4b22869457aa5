"""`room:changes`: a table's comings and goings summed up once a tick for compact
clients (Settings.room_changes), ahead of that table's positions."""

from __future__ import annotations

import dataclasses

from rooms.model import Settings
from rooms.outbound import Message, ToRoom
from tests.rooms.helpers import T0, arrive, make_event, messages


def batching_event():  # type: ignore[no-untyped-def]
    event = make_event(capacity=None)
    event.floor.settings = dataclasses.replace(event.settings, room_changes=True)
    return event


def test_arrivals_are_summed_up_at_the_flush_for_compact_members() -> None:
    """Each join still goes to the non-compact members at once; the flush sends one
    `room:changes` to the compact ones listing everyone who came, and only once."""
    event = batching_event()
    for pid in ("anna", "bert"):
        arrive(event, pid)
    event.enter("anna", "t1", T0)
    late = event.enter("bert", "t1", T0)
    assert [m.to for m in messages(late, "room:joined")] == [
        ToRoom("t1", exclude="bert", compact=False)]
    flushed = [m for m in messages(event.flush_positions(T0), "room:changes")
               if m.data["room"] == "t1"]
    assert len(flushed) == 1 and flushed[0].to == ToRoom("t1", compact=True)
    assert [j["person"]["id"] for j in flushed[0].data["joined"]] == ["anna", "bert"]
    assert messages(event.flush_positions(T0), "room:changes") == []


def test_changes_list_the_net_comings_and_goings_before_positions() -> None:
    """Who is at the table at the flush is `joined` (with their point now), who came
    and went is `left`; the table's positions follow its changes."""
    event = batching_event()
    for pid in ("anna", "bert", "cecilia"):
        arrive(event, pid)
    event.enter("anna", "t1", T0)
    event.enter("bert", "t1", T0)
    event.enter("bert", "t2", T0 + 2000)
    event.move("anna", 100, 200, T0)
    out = event.flush_positions(T0)
    t1 = [m for m in out if isinstance(m, Message) and m.to.room == "t1"]  # type: ignore[union-attr]
    assert [m.name for m in t1] == ["room:changes", "positions"]
    data = t1[0].data
    assert t1[0].to == ToRoom("t1", compact=True)
    assert [j["person"]["id"] for j in data["joined"]] == ["anna"]
    assert (data["joined"][0]["x"], data["joined"][0]["y"]) == (100, 200)
    assert data["joined"][0]["person"]["room"] == "t1"
    assert data["left"] == ["bert"]
    lobby = next(m for m in messages(out, "room:changes") if m.data["room"] == "lobby")
    assert set(lobby.data["left"]) == {"anna", "bert"} and lobby.data["joined"] == [
        {"person": event.people["cecilia"].wire(), "x": lobby.data["joined"][0]["x"],
         "y": lobby.data["joined"][0]["y"]}]


def test_split_ticks_send_a_tables_changes_in_its_own_slice() -> None:
    """With the tick in parts, a table's changes go out in the slice of its positions."""
    event = batching_event()
    arrive(event, "anna")
    event.enter("anna", "t2", T0)
    event.move("anna", 10, 10, T0)
    names = []
    for part in range(4):
        names += [(m.name, m.data["room"]) for m in messages(event.flush_positions(T0, part, 4))]
    assert names.index(("room:changes", "t2")) + 1 == names.index(("positions", "t2"))


def test_without_room_changes_everyone_gets_per_person_events() -> None:
    """The default: room:joined to every other member, and no room:changes."""
    event = make_event()
    assert Settings().room_changes is False
    arrive(event, "anna")
    result = event.enter("anna", "t1", T0)
    assert [m.to for m in messages(result, "room:joined")] == [ToRoom("t1", exclude="anna")]
    assert messages(event.flush_positions(T0), "room:changes") == []
