"""Where the server's memory per connection goes: tracemalloc, idle and with N connected.

Starts `kohtaamo serve` (crowd configuration, temporary database) under
tracemalloc, snapshots it idle, connects N people with the load generator's
`crowd` profile, snapshots again once /metrics counts them all, and prints
what grew, per connection, by source line (or file, or traceback). The
generator keeps moving and chatting while the second snapshot is taken, so
the figures include what a live connection holds in flight.

    .venv/bin/python -m bench.memory --people 1000
    .venv/bin/python -m bench.memory --people 1000 --group traceback --top 10
    .venv/bin/python -m bench.memory --people 1000 --set own_read_loop=false

tracemalloc counts Python allocations only; RSS per connection (bench.run) is
a little higher (allocator overhead, the C libraries' own buffers).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

from bench.run import EVENT, ROOT, crowd_files, stop, wait_listening


def serve_traced(frames: int, folder: Path, argv: list[str]) -> int:
    """Run `kohtaamo serve` in this process; each SIGUSR1 writes snapN.bin to `folder`."""
    tracemalloc.start(frames)
    taken = 0

    def dump(_signum: int, _frame: object) -> None:
        nonlocal taken
        taken += 1
        part = folder / f"snap{taken}.part"
        tracemalloc.take_snapshot().dump(str(part))
        part.rename(folder / f"snap{taken}.bin")

    signal.signal(signal.SIGUSR1, dump)
    from server.cli import main

    return main(argv)


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.25)
    raise SystemExit(f"timed out waiting for {what}")


def _connected(url: str) -> int:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    pattern = r"^kohtaamo_people_connected\{event=\"" + re.escape(EVENT) + r"\"\} (\S+)"
    m = re.search(pattern, text, re.M)
    return int(float(m.group(1))) if m else 0


def _snapshot(proc: subprocess.Popen[bytes], folder: Path, n: int) -> tracemalloc.Snapshot:
    proc.send_signal(signal.SIGUSR1)
    path = folder / f"snap{n}.bin"
    _wait(path.exists, 120, f"snapshot {n}")
    return tracemalloc.Snapshot.load(str(path))


def report(idle: tracemalloc.Snapshot, busy: tracemalloc.Snapshot, people: int, group: str,
           top: int) -> str:
    diff = busy.compare_to(idle, group)
    total = sum(d.size_diff for d in diff)
    lines = [f"Python heap grew {total / 1024:,.0f} KB for {people} connections: "
             f"{total / 1024 / people:.1f} KB per connection", "",
             "| KB per connection | blocks per connection | where |", "| ---: | ---: | --- |"]
    for d in diff[:top]:
        frames = d.traceback if group == "traceback" else d.traceback[:1]
        where = " ← ".join(
            f"{_short(f.filename)}:{f.lineno}" if group != "filename" else _short(f.filename)
            for f in frames)
        lines.append(f"| {d.size_diff / 1024 / people:.2f} | {d.count_diff / people:.1f} "
                     f"| `{where}` |")
    return "\n".join(lines)


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1].lstrip("0123456789./")
    return os.path.relpath(filename, ROOT)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-traced"]:
        return serve_traced(int(argv[1]), Path(argv[2]), argv[3:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--group", choices=["lineno", "filename", "traceback"], default="lineno")
    ap.add_argument("--frames", type=int, default=4, help="traceback depth recorded")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--set", action="append", metavar="KEY=JSON",
                    help="one [tuning] setting, e.g. --set own_read_loop=false")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kohtaamo-memory-") as tmp:
        folder = Path(tmp)
        config, db, log = crowd_files(folder, args.people, args.set or [])
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "bench.memory", "--serve-traced", str(args.frames),
                 str(folder), "serve", "--config", str(config), "--port", "0", "--db", str(db)],
                cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
        gen: subprocess.Popen[bytes] | None = None
        try:
            url = wait_listening(log, server, 60)
            idle = _snapshot(server, folder, 1)
            gen = subprocess.Popen(
                [sys.executable, "-m", "bench.loadgen", "--url", url, "--event", EVENT,
                 "--profile", "crowd", "--people", str(args.people), "--duration", "600"],
                cwd=ROOT, stdout=subprocess.DEVNULL)
            _wait(lambda: _connected(url) >= args.people, 300, "everyone to connect")
            time.sleep(3)  # bounded settle: the first moves and chats are under way
            busy = _snapshot(server, folder, 2)
        finally:
            if gen is not None:
                gen.kill()
                gen.wait(10)
            stop(server)
    print(report(idle, busy, args.people, args.group, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
