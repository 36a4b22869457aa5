"""A kick seen by the real JavaScript client (socket.io-client + socket.io-msgpack-parser).

Node runs tests/server/js/kick_client.mjs with the packages from
client/node_modules (`npm --prefix client ci`). The browser's client must
close with `io server disconnect` and not reconnect by itself; after a ban, a
deliberate reconnect is refused with `{"code": "banned"}`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).parent / "js" / "kick_client.mjs"
NODE = shutil.which("node")



@pytest.fixture(autouse=True)
def _node() -> None:
    """A missing Node.js fails these tests (./dev test installs it); never a skip."""
    if NODE is None:
        pytest.fail("node is not installed (apt-get install nodejs)")


class NodeClient:
    """The script's JSON lines as they arrive, with a condition to wait on."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[dict[str, Any]] = []

    @classmethod
    async def start(cls, server: Server, token: str) -> NodeClient:
        if not (ROOT / "client" / "node_modules" / "socket.io-client").is_dir():
            pytest.fail("client/node_modules is missing: run `npm --prefix client ci`")
        assert NODE is not None
        proc = await asyncio.create_subprocess_exec(
            NODE, str(SCRIPT), server.url, token, "3000",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def until(self, event: str, timeout: float = 10) -> dict[str, Any]:
        """Read lines until one for `event` arrives."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    stderr = await self.proc.stderr.read() if self.proc.stderr else b""
                    raise AssertionError(f"node ended before {event}: {stderr.decode()[-2000:]}")
                line = json.loads(raw)
                self.lines.append(line)
                if line["event"] == event:
                    return line

    async def finish(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()

    def seen(self, event: str, phase: str | None = None) -> list[dict[str, Any]]:
        return [x for x in self.lines
                if x["event"] == event and (phase is None or x["phase"] == phase)]


@pytest.mark.parametrize("ban", [False, True])
async def test_kicked_browser_client_stays_out(server: Server, ban: bool) -> None:
    """The JS client gets kicked, closes with io server disconnect and does not reconnect."""
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna = await server.join("Anna")
    node = await NodeClient.start(server, anna.token)
    try:
        assert (await node.until("welcome"))["me"] == anna.id
        reply = await mod.call("mod:kick", {"person": anna.id, "reason": "Häiriö", "ban": ban})
        assert reply["ok"], reply
        assert (await node.until("kicked"))["data"] == {"reason": "Häiriö"}
        assert (await node.until("disconnect"))["reason"] == "io server disconnect"
        retrying = await node.until("retrying")  # printed after 3 s of watching
        assert retrying["active"] is False
        assert node.seen("reconnect_attempt") == [] and len(node.seen("connect")) == 1
        if ban:
            refused = await node.until("connect_error")
            assert refused["data"]["code"] == "banned"
        else:
            await node.until("welcome")  # a plain kick: the page may be reloaded
        await node.until("done")
        assert node.seen("reconnect_attempt") == []
    finally:
        await node.finish()
