"""`kohtaamo staff add` makes staff whose link's token works, stored only as a hash."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from server.config import load
from tests.conftest import Person, running, write_config
from tests.server.process import serve
from tests.server.test_staff import rows


async def kohtaamo(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_staff_add_prints_a_working_link(tmp_path: Path) -> None:
    """staff add --json prints token, person and link; the token connects with that role."""
    path, db = write_config(tmp_path), tmp_path / "kohtaamo.db"
    code, out, err = await kohtaamo(
        "staff", "add", "testfair", "--role", "moderator", "--name", "Mia",
        "--config", str(path), "--db", str(db), "--json",
    )
    assert code == 0, err
    made = json.loads(out)
    assert set(made) == {"token", "person", "link"}
    assert made["link"].endswith(f"/e/testfair#token={made['token']}")
    code, out, err = await kohtaamo(
        "staff", "add", "testfair", "--role", "host", "--name", "Hilla",
        "--config", str(path), "--db", str(db),
    )
    assert code == 0 and out.startswith("host Hilla: http"), err
    missing = await kohtaamo("staff", "add", "nope", "--role", "host", "--name", "X",
                             "--config", str(path), "--db", str(db))
    assert missing[0] != 0
    async with running(load(path, database=db)) as server:
        stored = await rows(server, "SELECT role, token_hash FROM people WHERE id = ?",
                            made["person"])
        assert stored[0]["role"] == "moderator" and made["token"] not in stored[0]["token_hash"]
        mia = Person(server, made["token"], {"id": made["person"]})
        server.people.append(mia)
        welcome = await mia.connect()
        assert welcome is not None and welcome["me"]["role"] == "moderator"
        assert welcome["me"]["name"] == "Mia"


async def test_staff_add_beside_a_live_server_leaves_its_visits_open(tmp_path: Path) -> None:
    """`kohtaamo staff add` while `serve` runs closes none of the live server's open
    visits, so the report's dwell times keep growing; the new host's link works."""
    path, db = write_config(tmp_path), tmp_path / "kohtaamo.db"
    async with serve(path, db) as (url, _proc), aiohttp.ClientSession() as http:
        async with http.post(f"{url}/api/events/testfair/join", json={"name": "Aino"}) as resp:
            assert resp.status == 201
            joined = await resp.json()
        client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
        welcomed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        client.on("welcome", lambda data: welcomed.set_result(data))
        await client.connect(url, auth={"token": joined["token"]}, transports=["websocket"],
                             wait_timeout=5)
        try:
            welcome = await asyncio.wait_for(welcomed, 5)
            table = next(r["id"] for r in welcome["rooms"] if r["kind"] == "table")
            assert (await client.call("enter", {"room": table}, timeout=5))["ok"]
            person = joined["person"]["id"]
            async with asyncio.timeout(10):  # the visit log writes it within a second
                while (table, None) not in visits_of(db, person):
                    await asyncio.sleep(0.05)

            code, out, err = await kohtaamo(
                "staff", "add", "testfair", "--role", "host", "--name", "Hilla",
                "--config", str(path), "--db", str(db), "--json")
            assert code == 0, err
            # still at the table: the visit is still open
            assert (table, None) in visits_of(db, person), visits_of(db, person)
            host = json.loads(out)["token"]
            async with http.get(f"{url}/api/events/testfair/report",
                                headers={"Authorization": f"Bearer {host}"}) as resp:
                assert resp.status == 200, await resp.text()
                report = await resp.json()
            row = next(r for r in report["rooms"] if r["room"] == table)
            assert row["visits"] == 1
        finally:
            await client.disconnect()


def visits_of(db: Path, person: str) -> list[tuple[str, int | None]]:
    """(room, left_at) of the person's visits, read from the file as another process."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        return con.execute("SELECT room, left_at FROM visits WHERE person = ? ORDER BY rowid",
                           (person,)).fetchall()
