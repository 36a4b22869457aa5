"""`kohtaamo staff add` makes staff whose link's token works, stored only as a hash."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from server.config import load
from tests.conftest import Person, running, write_config
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
