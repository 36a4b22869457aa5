"""Running `kohtaamo serve` as a real child process, for crash and restart tests."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

LISTENING = re.compile(rb"listening on (http://[\d.]+:\d+)")


@contextlib.asynccontextmanager
async def serve(config: Path, db: Path, timeout: float = 20, port: int = 0) -> AsyncIterator[
        tuple[str, asyncio.subprocess.Process]]:
    """Start the server (on `port`, any free one by default); yields (url, process).
    Kills it on exit if still running."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", "serve", "--config", str(config), "--port", str(port),
        "--db", str(db), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    try:
        url = None
        async with asyncio.timeout(timeout):
            while url is None:
                line = await proc.stdout.readline()
                if not line:
                    raise RuntimeError("the server exited before listening")
                match = LISTENING.search(line)
                url = match.group(1).decode() if match else None
        drain = asyncio.create_task(_drain(proc.stdout))
        try:
            yield url, proc
        finally:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass
