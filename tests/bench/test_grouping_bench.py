"""bench.grouping runs end to end, tiny: a series against random, and the tracker."""

from __future__ import annotations

import pytest

from bench.grouping import main


def test_grouping_bench_prints_its_tables(capsys: pytest.CaptureFixture[str]) -> None:
    """Two rounds of 30 people and the tracker over 200 people print every table."""
    assert main(["--people", "30", "--rounds", "2", "--tracker-people", "200",
                 "--sweeps", "2"]) == 0
    out = capsys.readouterr().out
    assert "### 30 people, groups of 4, 2 rounds" in out
    assert out.count("\n| 2 | ") == 1
    assert "### MetTracker.observe" in out and "\n| 200 | 14 |" in out
