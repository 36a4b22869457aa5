"""Room for everyone: where a newcomer stands, and a step onto someone nudged aside.

Avatars are discs `AVATAR_DIAMETER` room units wide, and two people stand at
least that far apart whenever the room allows:

- a person entering a room takes a free point of a hexagonal lattice whose
  points lie a diameter apart (`spot`), so nobody lands on anyone until every
  lattice point is taken; among free points it prefers roomy ones near the
  middle, so a small crowd spreads out and a big one fills the room evenly;
- a `move` onto someone ends at the nearest point clear of everyone (`nudge`).

`Grid` buckets a room's people into square cells one diameter wide, so a check
looks at the cells around a point (the people who could touch it), never at
everyone in the room: a move costs the same at a table of 5 and in a lobby of
5,000. Pure: points in, points out; randomness comes from the caller's
`random.Random`, so tests pass a seeded one.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterator, Mapping

#: The diameter of an avatar in room units (`room_size`): the least distance
#: the server keeps between two people when the room allows.
AVATAR_DIAMETER = 40

Point = tuple[int, int]

_D = AVATAR_DIAMETER
#: Cell keys are `column * _K + row` (rooms are far narrower than `_K` cells).
_K = 1 << 20
#: Key offsets of a cell's own and its eight neighbours.
_NEAR = tuple(dx * _K + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))
#: Lattice points lie this far apart: whole-number points (each rounded by at
#: most half a unit a side) stay a diameter apart.
_STEP = _D + 2
#: Random lattice points tried for a newcomer before looking at them in order.
_TRIES = 16
#: The middle region a newcomer is placed in holds this many lattice points per
#: person already there (so a crowd covers about a sixth of it), at least `_REGION_MIN`.
_REGION_PER_PERSON = 6
_REGION_MIN = 40
#: Clearance counts up to this far (a lattice point two diameters from anyone is roomy enough).
_ROOMY = 2 * _D
#: A blocked move whose aim is this close (squared) to where the mover stands
#: is a step: it stops short or stays, without searching around.
_STEP_REACH2 = (2 * _D) ** 2
#: Offsets looked at around a blocked move, nearest first: rings of 0.5 to 2 diameters.
_AROUND = tuple(
    (ring * _D * math.cos(a * math.pi / 4), ring * _D * math.sin(a * math.pi / 4))
    for ring in (0.5, 1.0, 1.5, 2.0) for a in range(8)
)


class Grid:
    """Who stands in which cell of a room (cells one diameter square).

    Holds ids only; positions stay in the room's `occupants`, which is read
    for each id found, so an id left behind by a write that bypassed the grid
    costs a lookup and nothing else. A cell's key is one int (`_key`), which
    hashes faster than a pair: a move looks up nine cells.
    """

    __slots__ = ("_cell_of", "_cells")

    def __init__(self) -> None:
        self._cells: dict[int, set[str]] = {}
        self._cell_of: dict[str, int] = {}

    def put(self, person_id: str, point: Point) -> None:
        key = (point[0] // _D) * _K + point[1] // _D
        old = self._cell_of.get(person_id)
        if old == key:
            return
        if old is not None:
            self._discard(person_id, old)
        cell = self._cells.get(key)
        if cell is None:
            self._cells[key] = {person_id}
        else:
            cell.add(person_id)
        self._cell_of[person_id] = key

    def drop(self, person_id: str) -> None:
        old = self._cell_of.pop(person_id, None)
        if old is not None:
            self._discard(person_id, old)

    def _discard(self, person_id: str, key: int) -> None:
        cell = self._cells[key]
        cell.discard(person_id)
        if not cell:
            del self._cells[key]

    def near(self, point: Point, reach: int = 1) -> Iterator[str]:
        """Everyone within `reach` cells of the point's cell: at least everyone
        closer than `reach` diameters."""
        base = (point[0] // _D) * _K + point[1] // _D
        cells = self._cells
        for gx in range(-reach, reach + 1):
            for gy in range(-reach, reach + 1):
                cell = cells.get(base + gx * _K + gy)
                if cell:
                    yield from cell

    def closest(
        self, occupants: Mapping[str, Point], point: Point, skip: str | None,
    ) -> tuple[Point | None, int]:
        """The nearest other person closer than a diameter to the point, and the
        squared distance (None and a diameter squared when nobody is): the check
        every move makes, written out for speed."""
        px, py = point
        base = (px // _D) * _K + py // _D
        cells = self._cells
        best: Point | None = None
        best2 = _D * _D
        for off in _NEAR:
            cell = cells.get(base + off)
            if cell:
                for pid in cell:
                    if pid == skip:
                        continue
                    other = occupants.get(pid)
                    if other is not None:
                        d2 = (other[0] - px) ** 2 + (other[1] - py) ** 2
                        if d2 < best2:
                            best, best2 = other, d2
        return best, best2


def clearance(
    occupants: Mapping[str, Point], grid: Grid, point: Point,
    skip: str | None = None, reach: int = 1,
) -> float:
    """Distance from the point to the nearest other person, counted up to
    `reach` diameters (anything farther reads as `reach` diameters)."""
    px, py = point
    best = float(reach * _D) ** 2
    for pid in grid.near(point, reach):
        if pid == skip:
            continue
        other = occupants.get(pid)
        if other is None:
            continue
        d2 = (other[0] - px) ** 2 + (other[1] - py) ** 2
        if d2 < best:
            best = d2
    return math.sqrt(best)


def is_free(
    occupants: Mapping[str, Point], grid: Grid, point: Point, skip: str | None = None,
) -> bool:
    """Is the point at least a diameter from everyone (but `skip`)?"""
    return clearance(occupants, grid, point, skip) >= _D


@functools.lru_cache(maxsize=8)
def lattice(width: int, height: int) -> tuple[Point, ...]:
    """The room's lattice points, nearest the middle first (ties in a fixed order)."""
    row = _STEP * math.sqrt(3) / 2
    cx, cy = width / 2, height / 2
    rows = int(cy // row) + 1
    cols = int(cx // _STEP) + 2
    points: set[Point] = set()
    for j in range(-rows, rows + 1):
        y = cy + j * row
        shift = _STEP / 2 if j % 2 else 0.0
        for i in range(-cols, cols + 1):
            x = cx + i * _STEP + shift
            if 0 <= x <= width and 0 <= y <= height:
                points.add((round(x), round(y)))
    return tuple(sorted(points, key=lambda p: ((p[0] - cx) ** 2 + (p[1] - cy) ** 2, p)))


def spot(
    occupants: Mapping[str, Point], grid: Grid, size: tuple[int, int], rng: random.Random,
) -> Point:
    """Where a newcomer to a room stands: a free lattice point, the roomiest of a
    few drawn from the room's middle (a region growing with the crowd); when
    none of those is free, the free lattice point nearest the middle; when the
    lattice is full, the roomiest of a few random points."""
    points = lattice(*size)
    region = points[: max(_REGION_MIN, _REGION_PER_PERSON * (len(occupants) + 1))]
    best: Point | None = None
    best_room = float(_D)
    for _ in range(_TRIES):
        p = region[rng.randrange(len(region))]
        room = clearance(occupants, grid, p, reach=2)
        if room >= best_room and (best is None or room > best_room):
            best, best_room = p, room
    if best is not None:
        return best
    if len(occupants) < len(points):  # else the lattice is surely full: skip the walk
        for p in points:
            if is_free(occupants, grid, p):
                return p
    return _roomiest(occupants, grid, size, rng)


def spots(
    occupants: Mapping[str, Point], grid: Grid, size: tuple[int, int], rng: random.Random,
) -> Iterator[Point]:
    """Where newcomers arriving together stand (a recall), each drawn after the one
    before was placed: the free lattice points nearest the middle in one walk (a
    point found taken stays taken while they arrive), then, the lattice full, the
    roomiest of a few random points. O(lattice + newcomers), where `spot` for
    each would draw over a growing crowd and walk the full lattice every time."""
    for p in lattice(*size):
        if is_free(occupants, grid, p):
            yield p
    while True:
        yield _roomiest(occupants, grid, size, rng)


def _roomiest(
    occupants: Mapping[str, Point], grid: Grid, size: tuple[int, int], rng: random.Random,
) -> Point:
    w, h = size
    fallback = (w // 2, h // 2)
    most = -1.0
    for _ in range(_TRIES // 2):
        p = (rng.randint(0, w), rng.randint(0, h))
        room = clearance(occupants, grid, p)
        if room > most:
            fallback, most = p, room
    return fallback


def nudge(
    occupants: Mapping[str, Point], grid: Grid, person_id: str, point: Point,
    size: tuple[int, int],
) -> Point:
    """Where a move to `point` ends: the point itself when it is clear of
    everyone, else just short of whoever stands there (on the side the mover
    comes from). A step (the aim within two diameters of where the mover
    stands) that cannot stop short stays where it is; a jump (a click across
    the room) looks for the nearest clear point around its aim. Where nothing
    near is clear the mover stays (a newcomer takes the aim); the aim itself
    when the room holds more than its lattice. At most 35 cell checks, whatever
    the crowd does: a room of people all aiming at one point stays cheap."""
    blocker, _ = grid.closest(occupants, point, person_id)
    if blocker is None:
        return point
    if len(occupants) > len(lattice(*size)):
        return point  # more people than the room holds apart: no gap worth the search
    px, py = point
    w, h = size
    bx, by = blocker
    dx, dy = px - bx, py - by
    was = occupants.get(person_id)
    if dx == 0 and dy == 0:  # right on top: back off towards where the mover was
        back = was or (px - 1, py)
        dx, dy = back[0] - bx, back[1] - by
        if dx == 0 and dy == 0:
            dx = 1
    length = math.hypot(dx, dy)
    short = (round(min(max(bx + dx / length * (_D + 1), 0), w)),
             round(min(max(by + dy / length * (_D + 1), 0), h)))
    if grid.closest(occupants, short, person_id)[0] is None:
        return short
    if was is not None and (was[0] - px) ** 2 + (was[1] - py) ** 2 <= _STEP_REACH2:
        return was  # a step into a crowd: stay put rather than search
    for ox, oy in _AROUND:
        c = (round(min(max(px + ox, 0), w)), round(min(max(py + oy, 0), h)))
        if grid.closest(occupants, c, person_id)[0] is None:
            return c
    return was if was is not None else point  # never onto someone while one can stay
