"""The signalling and recall benches run end to end, tiny, against the real server
(`kohtaamo serve`, with its managed Janus where media is on). No timing assertions:
figures belong in docs/performance.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import recall, signalling

UNPINNED = ["--server-core", "", "--gen-core", ""]


def _result(folder: Path, label: str) -> dict[str, Any]:
    (path,) = folder.glob(f"*-{label}.json")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def test_signalling_bench_times_each_media_request(tmp_path: Path) -> None:
    """Four people at one table (two publishing): every kind of media request is sent
    in its own window, acked, and costed for the server and for Janus."""
    assert signalling.main(["--people", "4", "--publishers", "2", "--toggles", "1",
                            "--quiet", "0.3", "--results", str(tmp_path),
                            "--label", "tiny", *UNPINNED]) == 0
    r = _result(tmp_path, "tiny")
    assert r["error_count"] == 0, r["errors"]
    assert r["disconnects"] == 0 and r["server_exit"] == 0
    windows = r["windows"]
    assert {k: w["requests"] for k, w in windows.items()} == {
        "media:publish": 2, "media:subscribe": 2, "media:answer": 2,
        "media:candidate": windows["media:candidate"]["requests"],
        "media:update": 4, "media:unsubscribe": 2, "media:unpublish": 2}
    assert windows["media:candidate"]["requests"] >= 6  # a line or more, and null, per peer
    assert all("janus_us_per_request" in w for w in windows.values())


def test_recall_bench_moves_everyone_with_and_without_media(tmp_path: Path) -> None:
    """Four people at tables are recalled while two moderators move and chat: all four
    get `moved`; with media the listener hears the host on the stage."""
    tiny = ["--people", "4", "--observers", "2", "--before", "0.5",
            "--results", str(tmp_path), *UNPINNED]
    assert recall.main([*tiny, "--label", "off"]) == 0
    r = _result(tmp_path, "off")
    assert r["moved"] == "4/4" and r["error_count"] == 0, r["errors"]
    assert r["server"]["loop_stalls"] is not None and r["disconnects"] == 0
    assert recall.main([*tiny, "--media", "--listeners", "1", "--publishers", "1",
                        "--label", "on"]) == 0
    r = _result(tmp_path, "on")
    assert r["moved"] == "4/4" and r["heard"] == "1/1", r["errors"]
    assert r["error_count"] == 0 and r["janus_cpu_s"] is not None
