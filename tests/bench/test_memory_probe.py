"""bench.memory runs end to end: a traced server, a few connections, a report."""

from __future__ import annotations

import pytest

from bench.memory import main


def test_memory_probe_reports_per_connection(capsys: pytest.CaptureFixture[str]) -> None:
    """Ten people connect to a traced server; the report says what each one holds."""
    assert main(["--people", "10", "--top", "5", "--frames", "1"]) == 0
    out = capsys.readouterr().out
    assert "KB per connection" in out
    assert out.count("\n| ") >= 3  # header and at least a row of sources


def test_memory_probe_takes_tuning(capsys: pytest.CaptureFixture[str]) -> None:
    """`--set` changes the traced server's [tuning], as bench.run's does."""
    assert main(["--people", "5", "--top", "3", "--frames", "1",
                 "--set", "own_read_loop=false", "--set", "slim_environ=false"]) == 0
    assert "KB per connection" in capsys.readouterr().out
