"""The collector's settle policy (server/collector.py): a wave's survivors are frozen once
it has settled, or in steps while it lasts, and released when most have gone."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from server.collector import Settler
from server.config import load
from server.keys import COLLECTOR, SIO
from server.realtime.tuning import Tuning
from tests.conftest import Server, running, write_config


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_a_settled_wave_is_frozen_and_released_when_most_have_gone() -> None:
    """Freeze after `wave` arrivals and `quiet` seconds without more; the cycles of those
    who leave stay frozen (uncollected) until half have gone and none for `quiet`
    seconds, then one release collects them and freezes those who stayed."""
    clock, open_ = Clock(), set[str]()
    settler = Settler(lambda: open_, wave=4, step=100, quiet=2.0, clock=clock)
    open_.update(f"s{i}" for i in range(6))
    assert settler.check() is None  # still arriving
    clock.now = 1.0
    assert settler.check() is None  # quiet for 1 s only
    held = Cycle()  # what a connection keeps while it is open
    gone = weakref.ref(held)
    frozen_before = gc.get_freeze_count()
    clock.now = 2.5
    assert settler.check() == "freeze"
    assert gc.get_freeze_count() > frozen_before and settler.freezes == 1
    clock.now = 10.0
    assert settler.check() is None  # nobody new, nobody gone: nothing to do

    del held  # its connection closed: cyclic garbage, but frozen
    open_.difference_update({"s0", "s1"})
    clock.now = 11.0
    assert settler.check() is None  # two of six gone: not half
    gc.collect()
    assert gone() is not None  # a full collection does not see frozen garbage
    open_.discard("s2")
    clock.now = 12.0
    assert settler.check() is None  # half gone, but still leaving
    clock.now = 14.5
    assert settler.check() == "release"
    assert gone() is None and settler.releases == 1
    assert gc.get_freeze_count() > 0  # those who stayed are frozen again

    open_.difference_update({"s3", "s4"})  # of the three frozen at the release, two leave
    clock.now = 20.0
    assert settler.check() is None  # seen leaving now
    clock.now = 22.5
    assert settler.check() == "release"
    assert settler.releases == 2


def test_a_long_wave_is_frozen_in_steps_and_turnover_counts() -> None:
    """`step` arrivals freeze at once while the wave lasts; leavers are counted by id, so
    people replaced one for one still release what froze for them."""
    clock, open_ = Clock(), set[str]()
    settler = Settler(lambda: open_, wave=2, step=5, quiet=2.0, clock=clock)
    open_.update(f"a{i}" for i in range(5))
    assert settler.check() == "freeze"
    open_.update(f"b{i}" for i in range(3))
    clock.now = 0.5
    assert settler.check() is None  # 3 more: under a step, and not quiet yet
    clock.now = 3.0
    assert settler.check() == "freeze"
    assert settler.freezes == 2
    # everyone of the eight replaced by someone new: the total never falls
    open_.clear()
    open_.update(f"c{i}" for i in range(8))
    clock.now = 3.5
    assert settler.check() == "release"  # all eight frozen ones gone: at once
    assert settler.releases == 1


def test_a_few_arrivals_are_not_frozen() -> None:
    """Under `wave` new connections nothing is frozen, however long it stays quiet."""
    clock, open_ = Clock(), {"x", "y"}
    settler = Settler(lambda: open_, wave=3, step=10, quiet=1.0, clock=clock)
    for t in range(5):
        clock.now = float(t)
        assert settler.check() is None
    assert settler.freezes == 0


async def test_the_app_settles_its_engineio_connections(server: Server) -> None:
    """The app's settler counts engineio's open connections, and /metrics reports it."""
    settler = server.app[COLLECTOR]
    a = await server.connected("Anna")
    assert set(settler.connections()) == set(server.app[SIO].eio.sockets)
    assert len(settler.connections()) == 1
    await a.close()
    async with server.http.get(f"{server.url}/metrics") as resp:
        text = await resp.text()
    assert 'kohtaamo_gc_settles_total{action="freeze"} 0' in text
    assert 'kohtaamo_gc_pause_longest_seconds{generation="1"} ' in text


async def test_gc_settle_can_be_turned_off(tmp_path: Path) -> None:
    """`[tuning] gc_settle = false` (and `Tuning.stock()`) runs no settler task."""
    assert Tuning().gc_settle and not Tuning.stock().gc_settle
    path = write_config(tmp_path, extra="\n[tuning]\ngc_settle = false\n")
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        assert srv.app[COLLECTOR]._task is None
    async with running(load(write_config(tmp_path), database=tmp_path / "k2.db")) as srv:
        assert srv.app[COLLECTOR]._task is not None
