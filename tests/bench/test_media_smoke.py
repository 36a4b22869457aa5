"""The media profile runs end to end, tiny: `bench.run media` starts `kohtaamo serve`
with its managed Janus, three aiortc peers talk at a table and hear the host on the
stage. No timing assertions (figures belong in docs/performance.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import run
from bench.peers import check_local, local_addresses, ssrcs_by_mid


def _result(folder: Path, label: str) -> dict[str, Any]:
    (path,) = folder.glob(f"*-{label}.json")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def test_media_profile_runs_tiny_with_and_without_media(tmp_path: Path) -> None:
    """Three people at one table (two publishing) hear their publishers, all three
    hear the host after a recall, Janus's CPU and the streams' bytes are read, and
    the same run without media gives the baseline for CPU per media request."""
    tiny = ["media", "--people", "3", "--tables", "1", "--hold", "1", "--results",
            str(tmp_path), "--server-core", "", "--gen-core", ""]
    assert run.main([*tiny, "--no-media", "--label", "off"]) == 0
    base = _result(tmp_path, "off")
    assert base["media_requests"] == 0 and base["error_count"] == 0
    assert base["janus_pid"] is None

    assert run.main([*tiny, "--label", "on", "--baseline",
                     str(next(tmp_path.glob("*-off.json")))]) == 0
    r = _result(tmp_path, "on")
    assert r["connected"] == 3 and r["publishers"] == 2
    assert r["error_count"] == 0, r["errors"]
    assert r["disconnects"] == 0 and r["server_exit"] == 0 and r["server_log_errors"] == 0
    assert r["tables_heard"] == "1/1" and r["stage_heard"] == "3/3"
    assert r["tables_enter_to_audio_ms"]["n"] == 1
    # at the table: the listener hears both publishers, each publisher the other
    assert r["tables_hold"]["streams"] == 4
    # on the stage: everyone hears the host
    assert r["stage_hold"]["streams"] == 3
    # and each walks to the table and back onto the stage, hearing the host again
    assert r["stage_enter_to_audio_ms"]["n"] == 3
    assert r["janus_pid"] is not None and r["tables_hold"]["janus_cpu"] is not None
    assert r["stage_hold"]["wire_kbit_s_per_stream"] > 0
    assert r["media_requests"] > 0 and "added_server_cpu_ms_per_media_request" in r
    assert "| on |" in (tmp_path / "media.md").read_text()


def test_candidates_off_this_machine_are_refused() -> None:
    """An SDP naming an address this machine does not have is refused before any
    packet is sent to it; this machine's own addresses pass."""
    mine = local_addresses()
    own = next(a for a in sorted(mine) if ":" not in a)
    ok = f"v=0\r\na=candidate:1 1 udp 2013266431 {own} 20000 typ host\r\n"
    check_local(ok, mine)
    with pytest.raises(ValueError):
        check_local("a=candidate:1 1 udp 2013266431 198.51.100.7 20000 typ host\r\n", mine)
    with pytest.raises(ValueError):
        check_local("a=candidate:1 1 udp 2013266431 x.local 20000 typ host\r\n", mine)


def test_ssrcs_are_read_per_mid() -> None:
    """A subscriber offer's SSRCs are mapped to the m-section (mid) announcing them."""
    sdp = ("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ssrc:11 cname:janus\r\n"
           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=ssrc:22 cname:janus\r\n")
    assert ssrcs_by_mid(sdp) == {"0": {11}, "1": {22}}
