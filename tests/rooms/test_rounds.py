"""A host's series of networking rounds, on the domain alone (no loop, time by hand)."""

from __future__ import annotations

import pytest

from rooms.errors import BadRequest, Conflict, Forbidden, NotFound
from rooms.event import Event
from rooms.grouping import group
from rooms.model import Role
from rooms.outbound import Message, ToPerson
from rooms.profile import Profile
from rooms.rounds import BETWEEN_MS, WARNING_MS, Rounds
from rooms.series import Phase
from tests.rooms.helpers import T0, arrive, make_event, messages

MIN = 60_000


def fair(attendees: int = 6) -> tuple[Event, Rounds]:
    event = make_event(capacity=None)
    arrive(event, "host", Role.HOST)
    for i in range(attendees):
        person = arrive(event, f"p{i:02d}")
        person.profile = Profile(name=f"P{i}", languages=("fi",), interests=("work",))
    return event, Rounds(event.floor, group)


def advance(rounds: Rounds, now: int) -> list:
    """A tick as the server runs it: time moves on, and a due grouping is run and seated."""
    out = rounds.tick(now)
    job = rounds.due(now)
    if job is not None:
        out += rounds.seat(job, job.run(), now)
    return out


def begin(rounds: Rounds, *args: object, now: int = T0) -> list:
    """rounds:start applied, then its first round seated."""
    result = rounds.start("host", *args, now).apply()  # type: ignore[arg-type]
    return result.out + advance(rounds, now)


def to(out: list, name: str) -> dict[str, object]:
    return {m.to.person: m.data for m in messages(out, name) if isinstance(m.to, ToPerson)}


def test_start_seats_everyone_present_once_in_groups_and_tells_each_their_group() -> None:
    """rounds:start seats each opted-in attendee once; `round:seated` carries room and group."""
    event, rounds = fair(7)
    action = rounds.start("host", 3, 10, 3, None, 1, T0)
    assert rounds.series is None  # planned, not applied
    result = action.apply()
    assert result.reply["series"]["round"] == 0  # the first round is due at once
    assert rounds.due(T0 - 1) is None
    job = rounds.due(T0)
    assert job is not None and rounds.due(T0) is None  # given once
    out = rounds.seat(job, job.run(), T0)
    assert rounds.series is not None and rounds.series.state is Phase.RUNNING
    seated = to(out, "round:seated")
    assert sorted(seated) == [f"p{i:02d}" for i in range(7)]  # the host is out by default
    rooms = {data["room"]["room"]["id"] for data in seated.values()}  # type: ignore[index]
    assert len(rooms) == 3
    for pid, data in seated.items():
        assert event.people[pid].room == data["room"]["room"]["id"]  # type: ignore[index]
        assert pid in [p["id"] for p in data["group"]]  # type: ignore[index]
        assert data["ends_at"] == T0 + 10 * MIN  # type: ignore[index]
    sizes = sorted(len(members) for _room, members in rounds.series.groups)  # type: ignore[union-attr]
    assert sizes == [2, 2, 3]
    assert messages(out, "rounds")[0].data["round"] == 1


def test_warning_end_mates_then_next_round_then_lobby() -> None:
    """A minute before the end each is warned; at the end told their mates; after the
    pause the next round; after the last, everyone is back in the lobby, tables gone."""
    event, rounds = fair(4)
    begin(rounds, 2, 5, 2, None, 1)
    assert rounds.tick(T0 + 5 * MIN - WARNING_MS - 1) == []
    warned = to(rounds.tick(T0 + 5 * MIN - WARNING_MS), "round:warning")
    assert len(warned) == 4
    assert rounds.tick(T0 + 5 * MIN - 1000) == []  # warned once
    ended = rounds.tick(T0 + 5 * MIN)
    mates = to(ended, "round:ended")
    assert all(len(m["mates"]) == 1 for m in mates.values())  # type: ignore[index]
    assert rounds.series is not None and rounds.series.state is Phase.BETWEEN
    t2 = T0 + 5 * MIN + BETWEEN_MS
    second = advance(rounds, t2)
    assert len(to(second, "round:seated")) == 4 and rounds.series.round == 2
    made = list(rounds.series.made_rooms)
    done = rounds.tick(t2 + 5 * MIN)
    assert len(to(done, "round:ended")) == 4
    assert rounds.series is None
    assert all(event.people[f"p{i:02d}"].room == "lobby" for i in range(4))
    assert not set(made) & set(event.rooms)
    assert messages(done, "rounds")[-1].data is None
    assert {m.data["reason"] for m in messages(done, "moved")} == {"round_end"}
    presence = messages(event.presence(t2 + 5 * MIN), "presence")[0].data
    assert sorted(presence["rooms_gone"]) == sorted(made)


def test_round_pairs_count_as_met_and_are_drained_for_storage() -> None:
    """Everyone in a group has met everyone else in it; new pairs are counted once."""
    _event, rounds = fair(4)
    begin(rounds, 2, 5, 2, None, 0)
    assert sum(map(len, rounds.met.values())) == 4 and rounds.series.new_pairs == 2  # type: ignore[union-attr]
    met = rounds.drain_met()
    assert {m.via for m in met} == {"round"} and len(met) == 2
    assert rounds.drain_met() == []


def test_opt_out_and_staff_opt_in() -> None:
    """Attendees are in by default and may opt out; staff are out unless they opt in."""
    event, rounds = fair(4)
    rounds.opt("p00", False)
    rounds.opt("host", True)
    seated = to(begin(rounds, 1, 5, 2, None, 0), "round:seated")
    assert "p00" not in seated and "host" in seated
    assert event.people["p00"].room == "lobby"


def test_chosen_tables_are_used_and_kept() -> None:
    """With `rooms`, groups sit at those tables, which stay after the series."""
    event, rounds = fair(4)
    seated = to(begin(rounds, 1, 5, 2, ["t1", "t2"], 0), "round:seated").values()
    assert {d["room"]["room"]["id"] for d in seated} == {"t1", "t2"}  # type: ignore[index]
    rounds.stop("host", T0 + MIN).apply()
    assert {"t1", "t2"} <= set(event.rooms)


@pytest.mark.parametrize(("args", "error"), [
    ((1, 5, 9, None), BadRequest),      # group size past 8
    ((1, 5, 1, None), BadRequest),      # group size under 2
    ((0, 5, 2, None), BadRequest),      # no rounds
    ((1, 0, 2, None), BadRequest),      # zero minutes
    ((1, 5, 8, None), BadRequest),      # more seats than people present
    ((1, 5, 2, ["lobby"]), BadRequest),  # the lobby is no round table
    ((1, 5, 2, ["t1"]), BadRequest),     # too few tables for the groups
    ((1, 5, 2, ["nope"]), NotFound),
])
def test_impossible_settings_are_refused_and_change_nothing(args: tuple, error: type) -> None:
    """Impossible settings raise the contract's error before anything changes."""
    event, rounds = fair(4)
    before = {p.id: p.room for p in event.people.values()}
    with pytest.raises(error):
        rounds.start("host", *args, 0, T0)
    assert rounds.series is None and {p.id: p.room for p in event.people.values()} == before


def test_only_hosts_run_series_and_one_at_a_time() -> None:
    """Attendees are forbidden; a second start conflicts; controls need a series."""
    _event, rounds = fair(4)
    with pytest.raises(Forbidden):
        rounds.start("p00", 1, 5, 2, None, 0, T0)
    with pytest.raises(NotFound):
        rounds.pause("host", T0)
    begin(rounds, 1, 5, 2, None, 0)
    with pytest.raises(Conflict):
        rounds.start("host", 1, 5, 2, None, 0, T0)


def test_pause_resume_extend_keep_the_time_left() -> None:
    """Paused, a round's clock stops; resumed, it goes on; extend adds minutes."""
    _event, rounds = fair(4)
    begin(rounds, 1, 5, 2, None, 0)
    rounds.pause("host", T0 + MIN).apply()
    assert rounds.tick(T0 + 60 * MIN) == []
    series = rounds.resume("host", T0 + 10 * MIN).apply().reply["series"]
    assert series["ends_at"] == T0 + 14 * MIN
    series = rounds.extend("host", 2, T0 + 10 * MIN).apply().reply["series"]
    assert series["ends_at"] == T0 + 16 * MIN
    with pytest.raises(BadRequest):
        rounds.extend("host", 31, T0)


def test_skip_ends_the_round_now_and_stop_returns_people_to_the_lobby() -> None:
    """Skip ends the running round (mates told), then starts the next; stop ends all."""
    event, rounds = fair(4)
    begin(rounds, 3, 5, 2, None, 0)
    out = rounds.skip("host", T0 + MIN).apply().out
    assert len(to(out, "round:ended")) == 4 and rounds.series.state is Phase.BETWEEN  # type: ignore[union-attr]
    rounds.skip("host", T0 + MIN).apply()
    out = advance(rounds, T0 + MIN)
    assert len(to(out, "round:seated")) == 4 and rounds.series.round == 2  # type: ignore[union-attr]
    out = rounds.stop("host", T0 + 2 * MIN).apply().out
    assert len(to(out, "round:ended")) == 4
    assert rounds.series is None and all(
        event.people[f"p{i:02d}"].room == "lobby" for i in range(4))


def test_someone_leaving_mid_round_frees_their_seat_and_the_round_goes_on() -> None:
    """A person who leaves the floor mid-round is gone from their table; the rest go on."""
    event, rounds = fair(4)
    begin(rounds, 1, 5, 2, None, 0)
    room = event.people["p00"].room
    event.floor.leave_floor(event.people["p00"], T0 + MIN)
    assert "p00" not in event.rooms[room].occupants  # type: ignore[index]
    ended = to(rounds.tick(T0 + 5 * MIN), "round:ended")
    assert len(ended) == 4  # p00 is still told who they met
    assert rounds.series is None


def test_latecomers_join_the_next_round() -> None:
    """Someone who arrives mid-series is grouped in the next round."""
    event, rounds = fair(4)
    begin(rounds, 2, 5, 2, None, 0)
    late = arrive(event, "late", now=T0 + MIN)
    late.profile = Profile(name="Late", languages=("fi",))
    rounds.tick(T0 + 5 * MIN)
    seated = to(advance(rounds, T0 + 5 * MIN + BETWEEN_MS), "round:seated")
    assert "late" in seated and len(seated) == 5


def test_messages_go_only_to_the_people_of_the_series() -> None:
    """Round messages are addressed to grouped people; `rounds` to the whole event."""
    _event, rounds = fair(4)
    out = begin(rounds, 1, 5, 2, None, 0)
    for m in out:
        if isinstance(m, Message) and m.name.startswith("round:"):
            assert isinstance(m.to, ToPerson) and m.to.person != "host"


def test_a_grouping_that_comes_back_late_seats_only_who_is_still_here() -> None:
    """Grouping runs off the loop: whoever left meanwhile is not seated, and a job of a
    series stopped meanwhile seats nobody."""
    event, rounds = fair(4)
    rounds.start("host", 2, 5, 2, None, 0, T0).apply()
    job = rounds.due(T0)
    assert job is not None
    groups = job.run()
    event.floor.leave_floor(event.people["p00"], T0 + 10)
    seated = to(rounds.seat(job, groups, T0 + 20), "round:seated")
    assert "p00" not in seated and len(seated) == 3
    rounds.stop("host", T0 + MIN).apply()
    rounds.start("host", 2, 5, 2, None, 0, T0 + MIN).apply()
    stale = rounds.due(T0 + MIN)
    assert stale is not None
    rounds.stop("host", T0 + MIN).apply()
    assert rounds.seat(stale, stale.run(), T0 + MIN) == []


def test_a_failed_grouping_is_tried_again() -> None:
    """`abandon` puts the round back a few seconds; `due` then gives a new job."""
    _event, rounds = fair(4)
    rounds.start("host", 1, 5, 2, None, 0, T0).apply()
    job = rounds.due(T0)
    assert job is not None
    rounds.abandon(job, T0)
    assert rounds.due(T0 + 1000) is None
    assert rounds.due(T0 + 5000) is not None
