"""Room for everyone (`rooms.spacing`): newcomers spread out, a move onto someone is nudged."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from rooms.event import Event
from rooms.model import Person, Role, Room, RoomKind, Settings
from rooms.profile import Profile
from rooms.spacing import AVATAR_DIAMETER, Grid, lattice, nudge, spot
from tests.rooms.helpers import T0, arrive, make_event, messages

D = AVATAR_DIAMETER


def closest_pair(points: list[tuple[int, int]]) -> float:
    return min(math.dist(a, b) for a, b in itertools.combinations(points, 2))


def big_lobby(seed: int) -> Event:
    event = Event("fair", "Fair", lobby=Room("lobby", "Aula", "Lobby", kind=RoomKind.LOBBY),
                  settings=Settings(room_size=(1000, 1000), max_people=None))
    event.floor.rng = random.Random(seed)
    return event


@pytest.mark.parametrize("crowd", [90, 500])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_crowd_entering_the_lobby_never_lands_closer_than_a_diameter(
    crowd: int, seed: int,
) -> None:
    """90 and 500 people connecting one after another all stand a diameter apart."""
    event = big_lobby(seed)
    for i in range(crowd):
        arrive(event, f"p{i}", now=T0 + i)
    points = list(event.lobby.occupants.values())
    assert len(points) == crowd
    assert closest_pair(points) >= D
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in points)


def test_a_small_crowd_spreads_out_rather_than_packing_the_middle() -> None:
    """90 people are not packed at a diameter: most have room around them."""
    event = big_lobby(3)
    for i in range(90):
        arrive(event, f"p{i}")
    points = list(event.lobby.occupants.values())
    nearest = [min(math.dist(p, q) for q in points if q is not p) for p in points]
    assert sorted(nearest)[len(nearest) // 2] >= 1.5 * D
    xs = [x for x, _ in points]
    assert max(xs) - min(xs) >= 500  # over half the room's width, not a clump


def test_placement_is_repeatable_with_the_same_seed() -> None:
    """The same seed and arrivals give the same spots (tests can pin them)."""
    def run() -> list[tuple[int, int]]:
        event = big_lobby(7)
        for i in range(30):
            arrive(event, f"p{i}")
        return list(event.lobby.occupants.values())

    assert run() == run()


def test_entering_a_table_keeps_a_diameter_from_those_seated() -> None:
    """A table's newcomers stand apart too, as do people coming back to the lobby."""
    event = make_event(capacity=None)
    for i in range(20):
        arrive(event, f"p{i}")
        event.enter(f"p{i}", "t2", T0)
    assert closest_pair(list(event.rooms["t2"].occupants.values())) >= D
    for i in range(10):
        event.enter(f"p{i}", "lobby", T0)
    assert closest_pair(list(event.lobby.occupants.values())) >= D


def test_a_full_lattice_still_places_everyone_inside_the_room() -> None:
    """When the room holds more people than lattice points, newcomers still land
    inside it (the roomiest of a few tries), and nothing fails."""
    size = (200, 200)
    occupants: dict[str, tuple[int, int]] = {}
    grid = Grid()
    rng = random.Random(1)
    for i in range(len(lattice(*size)) + 20):
        p = spot(occupants, grid, size, rng)
        assert 0 <= p[0] <= 200 and 0 <= p[1] <= 200
        occupants[f"p{i}"] = p
        grid.put(f"p{i}", p)
    assert len(occupants) == len(lattice(*size)) + 20


def test_a_move_onto_someone_is_nudged_beside_them() -> None:
    """Stepping onto another avatar ends a diameter from it, close to the aim."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.move("anna", 500, 400, T0)
    event.move("bert", 300, 400, T0)
    event.flush_positions(T0)
    event.move("bert", 495, 400, T0 + 200)
    bert = event.lobby.occupants["bert"]
    assert math.dist(bert, (500, 400)) >= D
    assert math.dist(bert, (495, 400)) <= D  # next to where bert aimed, on his side
    assert bert[0] < 500
    out = messages(event.flush_positions(T0 + 200), "positions")
    assert out[0].data["p"] == [["bert", *bert]]


def test_a_move_exactly_onto_someone_backs_off_towards_where_the_mover_was() -> None:
    """Landing on the very same point backs the mover off on their own side."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.move("anna", 500, 400, T0)
    event.move("bert", 500, 700, T0)
    event.move("bert", 500, 400, T0 + 200)
    bert = event.lobby.occupants["bert"]
    assert math.dist(bert, (500, 400)) >= D and bert[1] > 400


def test_a_move_into_a_crowd_finds_the_nearest_gap() -> None:
    """Aiming into the middle of a tight ring ends in a clear spot near the aim."""
    occupants = {f"r{i}": (round(500 + 45 * math.cos(i * math.pi / 4)),
                           round(500 + 45 * math.sin(i * math.pi / 4))) for i in range(8)}
    grid = Grid()
    for pid, p in occupants.items():
        grid.put(pid, p)
    p = nudge(occupants, grid, "me", (500, 500), (1000, 1000))
    assert min(math.dist(p, q) for q in occupants.values()) >= D
    assert math.dist(p, (500, 500)) <= 3 * D


def test_a_clear_move_is_kept_and_corners_stay_inside() -> None:
    """Nobody near: the point stands; someone in a corner: the nudge stays in the room."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.move("anna", 0, 0, T0)
    event.move("bert", 5, 3, T0 + 200)
    bert = event.lobby.occupants["bert"]
    assert math.dist(bert, (0, 0)) >= D
    assert 0 <= bert[0] <= 1000 and 0 <= bert[1] <= 800


def test_leaving_frees_the_spot() -> None:
    """Someone who left no longer pushes anyone aside."""
    event = make_event()
    arrive(event, "anna")
    arrive(event, "bert")
    event.move("anna", 500, 400, T0)
    event.enter("anna", "t2", T0)
    event.move("bert", 500, 400, T0 + 200)
    assert event.lobby.occupants["bert"] == (500, 400)


def test_a_restored_seat_takes_part_in_spacing() -> None:
    """Seats restored after a restart are in the grid: a move onto one is nudged."""
    from rooms.model import Seat

    event = make_event()
    event.add_person(Person("anna", Role.ATTENDEE, Profile(name="Anna")))
    assert event.restore_seat(Seat("anna", "lobby", 200, 200), T0)
    arrive(event, "bert")
    event.move("bert", 205, 200, T0)
    assert math.dist(event.lobby.occupants["bert"], (200, 200)) >= D


@pytest.mark.parametrize("crowd", [300, 1000])
def test_a_recall_seats_everyone_a_diameter_apart_while_the_lattice_lasts(crowd: int) -> None:
    """A recall of 300 (and of 1,000, past the lattice's points) seats them in one pass:
    a diameter apart while free lattice points last, inside the room always."""
    event = big_lobby(5)
    arrive(event, "host", Role.HOST)
    event.add_room(Room("t1", "Pöytä", "Table"))
    for i in range(crowd):
        arrive(event, f"p{i}")
        event.enter(f"p{i}", "t1", T0)
    event.recall("host", T0 + 60_000).apply()
    points = list(event.lobby.occupants.values())
    assert len(points) == crowd + 1
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in points)
    room = len(lattice(1000, 1000))
    if crowd < room:
        assert closest_pair(points) >= D
    else:
        assert closest_pair(points[:room]) >= D


def test_a_table_all_aiming_at_one_point_never_piles_up() -> None:
    """Fifty people who keep stepping towards the middle (a client that ignores
    where it was put) stay a diameter apart: a blocked step stops short or stays."""
    rng = random.Random(7)
    occupants: dict[str, tuple[int, int]] = {}
    grid = Grid()
    for i in range(50):
        p = spot(occupants, grid, (1000, 1000), rng)
        occupants[f"p{i}"] = p
        grid.put(f"p{i}", p)
    aims = {pid: (500, 500) for pid in occupants}
    for step in range(5000):
        pid = f"p{step % 50}"
        ax, ay = aims[pid]
        aims[pid] = (min(max(ax + rng.randint(-20, 20), 0), 1000),
                     min(max(ay + rng.randint(-20, 20), 0), 1000))
        p = nudge(occupants, grid, pid, aims[pid], (1000, 1000))
        occupants[pid] = p
        grid.put(pid, p)
    assert closest_pair(list(occupants.values())) >= D


def test_a_blocked_step_that_stays_put_tells_nobody() -> None:
    """A step into someone that cannot stop short of them leaves the mover where
    they stood, and the room hears nothing of it."""
    event = make_event()
    for pid in ("anna", "fred", "bert"):
        arrive(event, pid)
    for pid, (x, y) in (("anna", (200, 200)), ("fred", (275, 200)), ("bert", (260, 245))):
        event.move(pid, x, y, T0)
        assert event.lobby.occupants[pid] == (x, y)
    event.flush_positions(T0)
    # anna blocks the aim; stopping short of her would touch fred
    event.move("bert", 230, 200, T0 + 200)
    assert event.lobby.occupants["bert"] == (260, 245)
    assert messages(event.flush_positions(T0 + 200), "positions") == []
