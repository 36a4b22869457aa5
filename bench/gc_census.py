"""What the cyclic collector holds per connection after a wave of connections.

Starts `kohtaamo serve` (crowd configuration, temporary database), connects N
people with the load generator's `crowd` profile, waits until /metrics counts
them all and `--settle` seconds more, then asks the server (SIGUSR1) for a
census of the objects its collector tracks outside the permanent generation:
how many per generation, the most common types per connection, and for a
sample of the most common, what refers to them (`gc.get_referrers`). Those
are what a generation-1 collection after the wave has to walk. Then everyone
leaves at once, and a second census lists the cyclic garbage they left (what a
frozen wave would keep until released).

    .venv/bin/python -m bench.gc_census --people 2000 --set gc_settle=false
    .venv/bin/python -m bench.gc_census --people 2000

/metrics is read before each census: the collector's longest pause by generation
(the wave's, and after everyone left the release's), stalls, settles.
"""

from __future__ import annotations

import argparse
import gc
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.memory import _connected, _wait
from bench.run import EVENT, ROOT, crowd_files, stop, wait_listening


def census(top: int = 25, samples: int = 20) -> dict[str, Any]:
    """Objects the collector tracks (the permanent generation left out), by type."""
    gc.collect(0)
    by_gen = [gc.get_objects(g) for g in range(3)]
    # get_objects(g) lists generation g alone in CPython 3.11
    types: Counter[str] = Counter()
    for objs in by_gen[1:]:
        types.update(_name(o) for o in objs)
    referrers: dict[str, Counter[str]] = {}
    for name, _ in types.most_common(8):
        counts: Counter[str] = Counter()
        found = [o for objs in by_gen[1:] for o in objs if _name(o) == name][:samples]
        ours = {id(found), *(id(objs) for objs in by_gen)}
        for o in found:
            counts.update(_name(r) for r in gc.get_referrers(o) if id(r) not in ours)
        referrers[name] = counts
        del found
    result = {
        "count": gc.get_count(), "frozen": gc.get_freeze_count(),
        "per_generation": [len(objs) for objs in by_gen],
        "types": types.most_common(top),
        "referrers": {k: v.most_common(5) for k, v in referrers.items()},
    }
    del by_gen
    return result


def garbage(top: int = 25) -> dict[str, Any]:
    """The cyclic garbage a full collection finds now (after people left), by type."""
    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)
    started = time.perf_counter()
    found = gc.collect()
    took = time.perf_counter() - started
    gc.set_debug(0)
    types = Counter(_name(o) for o in gc.garbage)
    gc.garbage.clear()
    return {"found": found, "ms": round(took * 1000, 1), "types": types.most_common(top)}


def collector_figures(url: str) -> dict[str, float]:
    """The server's collector and loop figures from /metrics, since it started."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as resp:
        text = resp.read().decode()
    wanted = ("kohtaamo_gc_pause_longest_seconds", "kohtaamo_gc_pause_seconds_count",
              "kohtaamo_gc_settles_total",
              "kohtaamo_loop_stalls_total", "kohtaamo_loop_stall_longest_seconds")
    out = {}
    for line in text.splitlines():
        if line.startswith(wanted):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def _name(o: object) -> str:
    kind = type(o)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def serve_counted(folder: Path, argv: list[str]) -> int:
    """Run `kohtaamo serve` in this process; SIGUSR1 writes census.json to `folder`."""

    taken = 0

    def dump(_signum: int, _frame: object) -> None:
        nonlocal taken
        taken += 1
        name = "census" if taken == 1 else "garbage"
        part = folder / f"{name}.part"
        part.write_text(json.dumps(census() if taken == 1 else garbage()), encoding="utf-8")
        part.rename(folder / f"{name}.json")

    signal.signal(signal.SIGUSR1, dump)
    from server.cli import main

    return main(argv)


def report(found: dict[str, Any], people: int) -> str:
    lines = [f"tracked outside the permanent generation, by generation: {found['per_generation']}"
             f" (frozen {found['frozen']:,}, counts {found['count']})", "",
             "| per connection | type (generations 1 and 2) | referred to by (sample) |",
             "| ---: | --- | --- |"]
    for name, n in found["types"]:
        refs = ", ".join(f"{r} {c}" for r, c in found["referrers"].get(name, []))
        lines.append(f"| {n / people:.1f} | `{name}` | {refs} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-counted"]:
        return serve_counted(Path(argv[1]), argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--settle", type=float, default=5.0)
    ap.add_argument("--set", action="append", metavar="KEY=JSON", default=[])
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kohtaamo-census-") as tmp:
        folder = Path(tmp)
        config, db, log = crowd_files(folder, args.people, args.set)
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                ["taskset", "-c", "0", sys.executable, "-m", "bench.gc_census", "--serve-counted",
                 str(folder), "serve", "--config", str(config), "--port", "0", "--db", str(db)],
                cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
        gen: subprocess.Popen[bytes] | None = None
        try:
            url = wait_listening(log, server, 60)
            gen = subprocess.Popen(
                ["taskset", "-c", "1", sys.executable, "-m", "bench.loadgen", "--url", url,
                 "--event", EVENT, "--profile", "crowd", "--people", str(args.people),
                 "--duration", "600"], cwd=ROOT, stdout=subprocess.DEVNULL)
            _wait(lambda: _connected(url) >= args.people, 300, "everyone to connect")
            time.sleep(args.settle)  # bounded: the wave's last welcomes go out
            before = collector_figures(url)
            server.send_signal(signal.SIGUSR1)
            path = folder / "census.json"
            _wait(path.exists, 120, "the census")
            found = json.loads(path.read_text(encoding="utf-8"))
            gen.kill()  # everyone leaves at once; then what they left as cycles
            gen.wait(10)
            gen = None
            _wait(lambda: _connected(url) == 0, 120, "everyone to leave")
            time.sleep(args.settle)  # bounded: the closing handlers finish, a release runs
            after = collector_figures(url)
            server.send_signal(signal.SIGUSR1)
            path = folder / "garbage.json"
            _wait(path.exists, 120, "the garbage census")
            left = json.loads(path.read_text(encoding="utf-8"))
        finally:
            if gen is not None:
                gen.kill()
                gen.wait(10)
            stop(server)
            print("\n".join(line for line in log.read_text(errors="replace").splitlines()
                            if "collector" in line))
    for when, figures in (("connected, before the census", before),
                          ("all gone, before the garbage census", after)):
        print(f"/metrics {when}:")
        print("\n".join(f"  {k} {v:g}" for k, v in figures.items()))
    print(report(found, args.people))
    print(f"\nafter all left: a full collection found {left['found']:,} objects of cyclic garbage"
          f" ({left['found'] / args.people:.1f} per connection) in {left['ms']} ms")
    print("\n".join(f"| {n / args.people:.1f} | `{name}` |" for name, n in left["types"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
