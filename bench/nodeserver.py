"""The Node baseline (bench/baseline/server.js) as `bench.run` starts it, and the
markdown rows that name the server and compare two servers of the same run.

The baseline is a bare socket.io 4.8 server with the msgpack parser doing only
join, welcome, enter, positions per tick and chat, with Kohtaamo's wire shapes:
the yardstick of issue 14 ("CPU per message at most that of a bare Node
socket.io server in the same run").
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

BASELINE = Path(__file__).resolve().parent / "baseline"

#: the profiles the baseline can serve (no host, cards or media)
PROFILES = ("crowd", "stress", "storm")


def ensure_installed() -> None:
    """`npm ci` the baseline's packages when they are missing (a fresh checkout)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("the Node baseline needs node and npm (./dev installs them)")
    if not (BASELINE / "node_modules" / "socket.io" / "package.json").exists():
        subprocess.run(
            ["npm", "--prefix", str(BASELINE), "ci", "--no-audit", "--no-fund",
             "--loglevel=error"], check=True, timeout=600,
        )


def command(event: str, people: int, table_size: int, tick_hz: float,
            deflate: bool = False) -> list[str]:
    """The baseline's command line: as many tables of `table_size` as bench.run's
    Kohtaamo configuration has, the same tick."""
    tables = max(1, math.ceil(people / table_size))
    return ["node", str(BASELINE / "server.js"), "--port", "0", "--event", event,
            "--tables", str(tables), "--tick-hz", f"{tick_hz:g}",
            *(["--deflate"] if deflate else [])]


def markdown_row(r: dict[str, Any]) -> str:
    """One results.md row; the first cell names the run and the server."""
    def p(d: dict[str, Any] | None, k: str) -> str:
        v = (d or {}).get(k)
        return "-" if v is None else f"{v:g}"
    mv, ch = r.get("move_to_peer_ms"), r.get("chat_to_peer_ms")
    storm = ""
    if "storm_s" in r:
        sc = r.get("storm_chat_ms")
        storm = (f" storm {r['storm_s']} s ({r['storm_welcomed']}), chat during it "
                 f"p50/p99 {p(sc, 'p50')}/{p(sc, 'p99')} ms (n {p(sc, 'n')})")
    return (
        f"| {r['label']} ({r.get('server', 'kohtaamo')}) | {r['profile']} | {r['connected']} | "
        f"{r['connect_s']} s{storm} | "
        f"{r.get('moves_ingested_per_s', r.get('moves_sent_per_s'))} | "
        f"{r['positions_delivered_per_s']} | {p(mv, 'p50')}/{p(mv, 'p95')}/{p(mv, 'p99')} | "
        f"{p(ch, 'p50')}/{p(ch, 'p99')} | {r.get('ticks_late')} | {r['server_cpu']} "
        f"(+{r.get('server_cpu_wait', '?')} wait) | "
        f"{r.get('server_us_per_msg')} | {r['server_rss_end_kb'] // 1024} MB | "
        f"{r['rss_per_connection_kb']} KB | "
        f"{r['error_count']}/{r['disconnects']} | {r['generator_cpu']}"
        f" ({r.get('generator_us_per_msg', '?')} µs/msg, {r.get('generator_loop', 'asyncio')},"
        f" lag p99 "
        f"{p(r.get('generator_lag_ms'), 'p99')} ms) |"
    )


HEADER = (
    "| run (server) | profile | people | connect | moves in/s | positions out/s "
    "| move→peer p50/p95/p99 ms | chat p50/p99 ms | ticks late | server CPU | µs CPU/msg "
    "| server RSS | RSS/conn | errors/disc | gen CPU |\n|" + "---|" * 15
)


def same_run(kohtaamo: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The two servers of one `--with-baseline` run side by side: µs of server CPU
    per message each and their ratio (> 1: Kohtaamo costs more per message)."""
    k, n = kohtaamo.get("server_us_per_msg"), node.get("server_us_per_msg")
    return {
        "profile": kohtaamo["profile"], "people": kohtaamo["connected"],
        "kohtaamo_us_per_msg": k, "node_us_per_msg": n,
        "ratio": round(k / n, 2) if k and n else None,
        "kohtaamo_cpu": kohtaamo["server_cpu"], "node_cpu": node["server_cpu"],
        "generator_cpu": [kohtaamo["generator_cpu"], node["generator_cpu"]],
        "generator_us_per_msg": [kohtaamo.get("generator_us_per_msg"),
                                 node.get("generator_us_per_msg")],
    }


def same_run_row(s: dict[str, Any]) -> str:
    """The combined line of a `--with-baseline` run, in the results.md table."""
    return (
        f"| same run: kohtaamo / node | {s['profile']} | {s['people']} | - | - | - | - | - | - "
        f"| {s['kohtaamo_cpu']} / {s['node_cpu']} "
        f"| {s['kohtaamo_us_per_msg']} / {s['node_us_per_msg']} = **{s['ratio']}x** "
        f"| - | - | - | {s['generator_cpu'][0]} / {s['generator_cpu'][1]} |"
    )
