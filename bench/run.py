"""Run one benchmark profile end to end, on this machine, on loopback.

Starts `kohtaamo serve` with a bench configuration on a temporary database,
pinned to one core, runs the load generator pinned to the other, stops the
server, and writes the JSON result to bench/results/ plus one markdown row to
bench/results/results.md. Everything is bounded: the server gets SIGTERM at
the end, and every wait has a timeout.

    .venv/bin/python -m bench.run crowd --people 2000 --duration 30
    .venv/bin/python -m bench.run stress --people 1000 --tuning stock
    .venv/bin/python -m bench.run crowd --people 500 --naive
    .venv/bin/python -m bench.run media --people 90 --tables 14
    .venv/bin/python -m bench.run media --people 90 --tables 14 --no-media
    .venv/bin/python -m bench.run crowd --people 2000 --duration 20 --with-baseline
    .venv/bin/python -m bench.run stress --people 2000 --server node

`--server node` runs the bare Node socket.io baseline (bench/baseline/server.js)
in Kohtaamo's place, pinned and measured the same way; `--with-baseline` runs the
profile against Kohtaamo, then the baseline, and adds a row with the ratio of
their server CPU per message.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from bench import nodeserver
from bench.loadgen import PROFILES
from bench.media import DEFAULTS as MEDIA_DEFAULTS
from bench.media import PORTS_PER_PERSON
from bench.nodeserver import HEADER, markdown_row
from server.media.managed import free_port
from server.realtime.tuning import Tuning

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
EVENT = "bench"

#: `--tuning stock`: every setting as python-socketio's defaults have it (Tuning.stock)
STOCK_TUNING = {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(Tuning.stock()).items()}


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def bench_config(args: argparse.Namespace, people: int) -> str:
    """The configuration text for this run."""
    tuning: dict[str, Any] = dict(STOCK_TUNING) if args.tuning == "stock" else {}
    for item in args.set or []:
        key, _, value = item.partition("=")
        tuning[key] = json.loads(value)
    lines = [
        "[server]",
        f"tick_hz = {args.tick_hz}",
        "presence_hz = 2",
        "grace_seconds = 30",
        "room_size = [1000, 1000]",
        f"naive_moves = {toml_value(args.naive)}",
        # every simulated person comes from one address: lift the per-address
        # and event-wide limits an attack would meet (docs/protocol.md, "Under abuse")
        f"max_connections_per_address = {max(people * 2, 100)}",
        "",
        "[limits]",
        "join = { burst = 100000, per_second = 100000 }   # one address joins everyone",
        "event_join = { burst = 100000, per_second = 100000 }",
        "",
        "[tuning]",
        *(f"{k} = {toml_value(v)}" for k, v in tuning.items()),
        "",
    ]
    if args.profile == "media":
        lines += media_lines(args, people)
        return "\n".join(lines)
    lines += ["[media]", "enabled = false   # only the media profile has calls", ""]
    if args.profile == "fair":
        seed = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
        event = seed["events"][0]
        lines += ["[[events]]", f'slug = "{EVENT}"', f"title = {toml_value(event['title'])}", ""]
        for room in event.get("rooms", []):
            lines += ["[[events.rooms]]", f"title = {toml_value(room['title'])}",
                      f"theme = {toml_value(room.get('theme', ''))}"]
            if room.get("capacity"):
                lines.append(f"capacity = {int(room['capacity'])}")
            lines.append("")
    else:
        size = args.table_size or PROFILES[args.profile]["table_size"] or 50
        tables = max(1, math.ceil(people / size))
        lines += ["[[events]]", f'slug = "{EVENT}"', 'title = "Benchmark"', ""]
        for i in range(tables):
            lines += ["[[events.rooms]]", f'title = "Table {i + 1}"', 'theme = "bench"', ""]
    return "\n".join(lines)


def crowd_files(folder: Path, people: int, sets: list[str]) -> tuple[Path, Path, Path]:
    """A `crowd` bench configuration for `people` with `--set` values written to
    `folder`: the paths of it, of the database and of the server's log."""
    config_args = argparse.Namespace(tuning="default", set=sets, tick_hz=10, naive=False,
                                     profile="crowd", table_size=None)
    config, db, log = folder / "config.toml", folder / "bench.db", folder / "server.log"
    config.write_text(bench_config(config_args, people), encoding="utf-8")
    return config, db, log


def media_lines(args: argparse.Namespace, people: int) -> list[str]:
    """`[media]` (a managed Janus with a port range sized for the run, ICE on this
    machine's own interfaces) and the event's tables, roomy enough for everyone."""
    if args.no_media:
        lines = ["[media]", "enabled = false", ""]
    else:
        size = people * PORTS_PER_PERSON + 20
        low = free_port() // 2 * 2
        low = low if low + size <= 65535 else 20000
        lines = ["[media]", f"rtp_ports = [{low}, {low + size - 1}]",
                 f"max_publishers = {people + 10}", ""]
    lines += ["[[events]]", f'slug = "{EVENT}"', 'title = "Benchmark: voice"', ""]
    for i in range(args.tables or MEDIA_DEFAULTS["tables"]):
        lines += ["[[events.rooms]]", f'title = "Table {i + 1}"', 'theme = "bench"',
                  f"capacity = {people + 1}", ""]
    return lines


def added_cpu(run: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The server's CPU the media requests added: this run's CPU less the baseline's,
    less the baseline's resting rate for the seconds this run took longer, over the
    media requests."""
    rest = (base.get("tables_hold") or {}).get("server_cpu", 0.0)
    extra = (run["server_cpu_s"] - base["server_cpu_s"]
             - rest * (run["measured_s"] - base["measured_s"]))
    return {"baseline": {k: base.get(k) for k in ("label", "server_cpu_s", "measured_s")},
            "added_server_cpu_s": round(extra, 3),
            "added_server_cpu_ms_per_media_request": round(
                1000 * extra / max(1, run["media_requests"]), 3)}


def media_row(r: dict[str, Any]) -> str:
    def p(d: dict[str, Any] | None, k: str) -> str:
        v = (d or {}).get(k)
        return "-" if v is None else f"{v:g}"
    t, s = r.get("tables_enter_to_audio_ms"), r.get("stage_recall_to_audio_ms")
    th, sh = r.get("tables_hold") or {}, r.get("stage_hold") or {}
    return (
        f"| {r['label']} | {r['people']} at {r['tables']} tables, {r['publishers']} publishing "
        f"| {r.get('tables_heard', '-')} {p(t, 'p50')}/{p(t, 'p99')} ms "
        f"| {r.get('stage_heard', '-')} {p(s, 'p50')}/{p(s, 'p99')} ms, "
        f"all {r.get('stage_all_heard_s')} s "
        f"| {r['media_requests']} | {r['server_cpu_s']} s in {r['measured_s']} s"
        f" (+{r.get('added_server_cpu_ms_per_media_request', '?')} ms/request) "
        f"| {th.get('streams')}: {th.get('janus_cpu_pct_per_stream')} % / "
        f"{th.get('wire_kbit_s_per_stream')} kbit/s "
        f"| {sh.get('streams')}: {sh.get('janus_cpu_pct_per_stream')} % / "
        f"{sh.get('wire_kbit_s_per_stream')} kbit/s "
        f"| {th.get('generator_cpu')} / {sh.get('generator_cpu')} "
        f"| {r['error_count']}/{r['disconnects']} |"
    )


MEDIA_HEADER = (
    "| run | people | tables: heard, enter→audio p50/p99 | stage: heard, recall→audio p50/p99 "
    "| media requests | server CPU | tables: streams, Janus CPU / wire per stream "
    "| stage: the same | generator CPU tables / stage | errors/disc |\n|" + "---|" * 10
)


def wait_listening(log: Path, proc: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early:\n{log.read_text()[-2000:]}")
        m = re.search(r"listening on (http://\S+)", log.read_text(errors="replace"))
        if m:
            return m.group(1)
        time.sleep(0.1)
    raise SystemExit("server did not start in time")


def stop(proc: subprocess.Popen[bytes]) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(5)
    return proc.returncode


def pin(core: str | None, nice: int = 0) -> list[str]:
    """taskset to one core, and `nice` when asked (a shared machine: see --nice)."""
    return (["nice", "-n", str(nice)] if nice else []) + (["taskset", "-c", core] if core else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run one Kohtaamo benchmark profile.")
    ap.add_argument("profile", choices=[*sorted(PROFILES), "media"])
    ap.add_argument("--people", type=int)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--tick-hz", dest="tick_hz", type=float, default=10)
    ap.add_argument("--table-size", dest="table_size", type=int)
    ap.add_argument("--tuning", choices=["default", "stock"], default="default",
                    help="stock: the libraries' defaults; default: server/realtime/tuning.py")
    ap.add_argument("--set", action="append", metavar="KEY=JSON",
                    help="one [tuning] setting, e.g. --set direct_emit=false")
    ap.add_argument("--naive", action="store_true", help="naive_moves: broadcast every move")
    ap.add_argument("--tables", type=int, help="media: how many tables")
    ap.add_argument("--no-media", dest="no_media", action="store_true",
                    help="media: the same run on a server with [media] enabled = false")
    ap.add_argument("--results", type=Path, default=RESULTS,
                    help="where the JSON and the markdown rows go")
    ap.add_argument("--baseline", type=Path,
                    help="media: a --no-media result; adds the server CPU per media request")
    ap.add_argument("--server", choices=["kohtaamo", "node"], default="kohtaamo",
                    help="node: the bare socket.io baseline in bench/baseline/")
    ap.add_argument("--with-baseline", dest="with_baseline", action="store_true",
                    help="the same run against Kohtaamo, then the Node baseline, and the "
                         "ratio of their CPU per message")
    ap.add_argument("--node-deflate", dest="node_deflate", action="store_true",
                    help="the baseline accepts permessage-deflate (socket.io refuses it "
                         "by default, as Kohtaamo does)")
    ap.add_argument("--label", default="")
    ap.add_argument("--server-core", default="0")
    ap.add_argument("--gen-core", default="1")
    ap.add_argument("--nice", type=int, default=0,
                    help="run server and generator at this niceness (e.g. -10 as root) so "
                         "other work on a shared machine does not starve the measurement")
    ap.add_argument("--profile-server", metavar="SECONDS", type=float,
                    help="record the server with py-spy for this long once loaded")
    args, gen_args = ap.parse_known_args(argv)
    if args.duration > 600:
        raise SystemExit("--duration is capped at 600 s")
    people = args.people or (MEDIA_DEFAULTS["people"] if args.profile == "media"
                             else PROFILES[args.profile]["people"])
    if args.profile == "storm":
        people += PROFILES["storm"]["residents"]
    servers = ["kohtaamo", "node"] if args.with_baseline else [args.server]
    if "node" in servers:
        if args.profile not in nodeserver.PROFILES:
            raise SystemExit(f"the Node baseline serves {', '.join(nodeserver.PROFILES)} only")
        nodeserver.ensure_installed()
    results: Path = args.results
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    label = args.label or f"{args.profile}-{people}-{args.tuning}{'-naive' if args.naive else ''}"
    if args.profile == "media" and not args.label:
        label = f"media-{people}{'-off' if args.no_media else ''}"
    media = args.profile == "media"
    header = MEDIA_HEADER if media else HEADER
    table = results / ("media.md" if media else "results.md")
    if not table.exists():
        table.write_text(header + "\n", encoding="utf-8")
    print(header)
    done: dict[str, dict[str, Any]] = {}
    for kind in servers:
        name = label if kind == "kohtaamo" else (
            f"{args.label}-node" if args.label else f"{args.profile}-{people}-node")
        result = run_one(args, gen_args, kind, people, name, stamp)
        if media and args.baseline:
            result.update(added_cpu(result, json.loads(args.baseline.read_text())))
        path = results / f"{stamp}-{name}.json"
        path.write_text(json.dumps(result, indent=2), encoding="utf-8")
        row = media_row(result) if media else markdown_row(result)
        with table.open("a", encoding="utf-8") as f:
            f.write(row + "\n")
        print(row)
        print(f"wrote {path}")
        done[kind] = result
    if len(done) == 2:  # --with-baseline: the ratio of the same run
        both = nodeserver.same_run(done["kohtaamo"], done["node"])
        row = nodeserver.same_run_row(both)
        with table.open("a", encoding="utf-8") as f:
            f.write(row + "\n")
        (results / f"{stamp}-{label}-same-run.json").write_text(
            json.dumps(both, indent=2), encoding="utf-8")
        print(row)
    return 0


def run_one(args: argparse.Namespace, gen_args: list[str], kind: str, people: int,
            label: str, stamp: str) -> dict[str, Any]:
    """One server (`kohtaamo` or the `node` baseline) pinned to its core, the
    generator pinned to the other; the generator's result plus the run's facts."""
    with tempfile.TemporaryDirectory(prefix="kohtaamo-bench-") as tmp:
        folder = Path(tmp)
        config, db, log = folder / "config.toml", folder / "bench.db", folder / "server.log"
        config.write_text(bench_config(args, people), encoding="utf-8")
        kohtaamo = str(VENV_BIN / "kohtaamo")
        host_token = None
        if kind == "kohtaamo" and args.profile in ("fair", "media"):
            host_token = _host_token(kohtaamo, config, db)
        if kind == "node":
            size = args.table_size or PROFILES[args.profile]["table_size"] or 50
            server_cmd = nodeserver.command(EVENT, people, size, args.tick_hz, args.node_deflate)
        else:
            server_cmd = [kohtaamo, "serve", "--config", str(config), "--port", "0",
                          "--db", str(db)]
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [*pin(args.server_core, args.nice), *server_cmd],
                stdout=log_file, stderr=subprocess.STDOUT,
            )
        spy: subprocess.Popen[bytes] | None = None
        try:
            url = wait_listening(log, server, 30)
            out_json = folder / "result.json"
            if args.profile == "media":
                cmd = [*pin(args.gen_core, args.nice), sys.executable, "-m", "bench.media",
                       "--url", url, "--event", EVENT, "--people", str(people),
                       "--tables", str(args.tables or MEDIA_DEFAULTS["tables"]),
                       "--server-pid", str(server.pid), "--out", str(out_json)]
                cmd += ["--no-media"] if args.no_media else []
            else:
                cmd = [*pin(args.gen_core, args.nice), sys.executable, "-m", "bench.loadgen",
                       "--url", url, "--event", EVENT, "--profile", args.profile,
                       "--duration", str(args.duration), "--server-pid", str(server.pid),
                       "--out", str(out_json)]
                if args.people:
                    cmd += ["--people", str(args.people)]
                if args.table_size:
                    cmd += ["--table-size", str(args.table_size)]
            if host_token:
                # one argument with "=": a token may begin with "-", which argparse
                # would take for an option
                cmd += [f"--host-token={host_token}"]
            cmd += gen_args
            gen = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL)
            if args.profile_server and kind == "kohtaamo":  # py-spy reads Python only
                spy = _start_spy(server.pid, args, folder, people, stamp, label)
            try:
                gen.wait(timeout=args.duration + 600)
            except subprocess.TimeoutExpired:
                gen.kill()
                raise SystemExit("the generator did not finish in time") from None
            if gen.returncode != 0 or not out_json.exists():
                raise SystemExit(f"the generator failed ({gen.returncode})")
            result = json.loads(out_json.read_text())
        finally:
            if spy is not None:
                try:
                    spy.wait(60)
                except subprocess.TimeoutExpired:
                    spy.kill()
            code = stop(server)
            server_log = log.read_text(errors="replace")
        result.update({
            "label": label, "server": kind, "server_exit": code, "tuning": args.tuning,
            "set": args.set or [],
            "node_deflate": args.node_deflate if kind == "node" else None,
            "naive_moves": args.naive, "tick_hz": args.tick_hz, "nice": args.nice,
            "commit": _git("rev-parse", "--short", "HEAD"),
            "machine": {"cpu": _cpu_model(), "cores": os.cpu_count(),
                        "python": platform.python_version(), "kernel": platform.release()},
            "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
            "server_log_tail": server_log.splitlines()[-20:],
            "server_log_errors": sum(1 for line in server_log.splitlines()
                                     if " ERROR " in line or "Traceback" in line),
            "server_loop_stalls": _stall_reports(server_log),
        })
    return result


def _start_spy(
    pid: int, args: argparse.Namespace, folder: Path, people: int, stamp: str, label: str,
) -> subprocess.Popen[bytes]:
    """py-spy, started once the people are likely in (a rough wait, bounded).

    In the storm that is the residents only: the window should hold the storm,
    which starts after they connect, settle (2 s) and warm up (3 s).
    """
    if args.profile == "storm":
        time.sleep(4 + PROFILES["storm"]["residents"] / 100)
    else:
        time.sleep(min(120.0, 5 + people / 100))
    out = args.results / f"{stamp}-{label}.speedscope.json"  # created by main
    return subprocess.Popen(
        [str(VENV_BIN / "py-spy"), "record", "--pid", str(pid), "--duration",
         str(int(args.profile_server)), "--format", "speedscope", "--output", str(out),
         "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _stall_reports(log_text: str) -> list[str]:
    """The server watchdog's reports (a warning line and the stack under it)."""
    reports: list[str] = []
    for line in log_text.splitlines():
        if "event loop stalled" in line or "event loop turned again" in line:
            reports.append(line)
        elif reports and not re.match(r"\d{4}-\d\d-\d\d ", line) and "stalled" in reports[-1]:
            reports[-1] += "\n" + line
    return reports


def _host_token(kohtaamo: str, config: Path, db: Path) -> str:
    """A host's token, from `kohtaamo staff add --json` as an operator would."""
    out = subprocess.run(
        [kohtaamo, "staff", "add", EVENT, "--role", "host", "--name", "Bench host",
         "--config", str(config), "--db", str(db), "--json"],
        capture_output=True, timeout=60, check=True,
    )
    return str(json.loads(out.stdout)["token"])


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    sys.exit(main())
