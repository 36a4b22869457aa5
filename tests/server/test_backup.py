"""`kohtaamo backup` while a real server serves and clients write, and `kohtaamo restore`
(issue 10, point 18)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from server.store.backup import BackupError, backup, restore
from server.store.storage import Storage
from tests.conftest import write_config
from tests.server.process import serve
from tests.server.test_staff_cli import kohtaamo


async def join(http: aiohttp.ClientSession, url: str, name: str) -> dict[str, Any]:
    async with http.post(f"{url}/api/events/testfair/join", json={"name": name}) as r:
        assert r.status == 201, await r.text()
        return await r.json()  # type: ignore[no-any-return]


def auth(joined: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {joined['token']}"}


async def exchange_cards(url: str, a: dict[str, Any], b: dict[str, Any]) -> None:
    """A card exchange through two real msgpack clients, acknowledged (so committed)."""
    clients = []
    try:
        for who in (a, b):
            client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
            await client.connect(url, auth={"token": who["token"]}, transports=["websocket"],
                                 wait_timeout=5)
            clients.append(client)
        asked = await clients[0].call("card:request", {"to": b["person"]["id"]}, timeout=5)
        reply = await clients[1].call("card:respond",
                                      {"request": asked["request"], "accept": True}, timeout=5)
        assert reply["ok"], reply
    finally:
        for client in clients:
            await client.disconnect()


async def keep_editing(http: aiohttp.ClientSession, url: str, who: dict[str, Any],
                       acked: list[int], stop: asyncio.Event) -> None:
    """PATCH one person's bio again and again, noting each acknowledged edit."""
    i = 0
    while not stop.is_set():
        i += 1
        async with http.patch(f"{url}/api/me", json={"bio": f"edit {i}"},
                              headers=auth(who)) as r:
            assert r.status == 200
        acked.append(i)


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


async def test_backup_while_serving_and_writing_holds_the_data(tmp_path: Path) -> None:
    """A backup taken while the server serves and a client keeps writing opens, passes an
    integrity check, stands alone (no -wal) and holds every write acknowledged before it."""
    config, db, copy = write_config(tmp_path), tmp_path / "kohtaamo.db", tmp_path / "b" / "k.db"
    async with serve(config, db) as (url, _proc), aiohttp.ClientSession() as http:
        aino, bert = await join(http, url, "Aino"), await join(http, url, "Bert")
        await exchange_cards(url, aino, bert)
        acked: list[int] = []
        stop = asyncio.Event()
        writer = asyncio.create_task(keep_editing(http, url, bert, acked, stop))
        try:
            async with asyncio.timeout(10):
                while len(acked) < 5:  # the writer is under way before the backup starts
                    await asyncio.sleep(0.01)
            before = acked[-1]
            code, _out, err = await kohtaamo("backup", str(copy), "--config", str(config),
                                             "--db", str(db))
            assert code == 0, err
            during = acked[-1]
        finally:
            stop.set()
            await writer
        assert during > before, "no write was acknowledged while the backup ran"
    assert not copy.with_name(copy.name + "-wal").exists()
    assert rows(copy, "PRAGMA quick_check") == [("ok",)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]
    people = dict(rows(copy, "SELECT id, profile FROM people WHERE role = 'attendee'"))
    assert set(people) == {aino["person"]["id"], bert["person"]["id"]}
    edit = int(json.loads(people[bert["person"]["id"]])["bio"].removeprefix("edit "))
    assert before <= edit <= acked[-1]
    assert rows(copy, "SELECT owner FROM contacts ORDER BY owner") == sorted(
        [(aino["person"]["id"],), (bert["person"]["id"],)])


async def test_restore_refuses_while_serving_and_replaces_the_database_when_stopped(
        tmp_path: Path) -> None:
    """restore is refused while a server runs on the database (which stays as it was);
    after the server stops (kill -9, leaving -wal and -shm) it replaces the database, and
    the restarted server serves the backup's people and contacts and not later ones."""
    config, db, copy = write_config(tmp_path), tmp_path / "kohtaamo.db", tmp_path / "k.bak"
    args = ("--config", str(config), "--db", str(db))
    async with serve(config, db) as (url, proc), aiohttp.ClientSession() as http:
        aino, bert = await join(http, url, "Aino"), await join(http, url, "Bert")
        await exchange_cards(url, aino, bert)
        code, _out, err = await kohtaamo("backup", str(copy), *args)
        assert code == 0, err
        cai = await join(http, url, "Cai")
        code, _out, err = await kohtaamo("restore", str(copy), *args)
        assert code == 1 and "in use" in err, err
        async with http.get(f"{url}/api/me", headers=auth(cai)) as r:
            assert r.status == 200  # the refused restore changed nothing
        proc.kill()
        await proc.wait()
    assert db.with_name(db.name + "-wal").exists()
    (tmp_path / "not-a-backup.db").write_bytes(b"hello")
    code, _out, err = await kohtaamo("restore", str(tmp_path / "not-a-backup.db"), *args)
    assert code == 1, err
    code, _out, err = await kohtaamo("restore", str(copy), *args)
    assert code == 0, err
    assert not db.with_name(db.name + "-wal").exists()
    assert not db.with_name(db.name + "-shm").exists()
    async with serve(config, db) as (url, _proc), aiohttp.ClientSession() as http:
        async with http.get(f"{url}/api/me/contacts", headers=auth(aino)) as r:
            assert r.status == 200
            assert [c["person"] for c in await r.json()] == [bert["person"]["id"]]
        async with http.get(f"{url}/api/me", headers=auth(cai)) as r:
            assert r.status == 401


async def test_restore_is_refused_while_storage_holds_the_database(tmp_path: Path) -> None:
    """While any process has the database open through Storage (a server, `staff add`),
    restore is refused; once it is closed, restore goes ahead."""
    db, copy = tmp_path / "kohtaamo.db", tmp_path / "copy.db"
    storage = await Storage.open(db)
    try:
        backup(db, copy)
        with pytest.raises(BackupError, match="in use"):
            restore(copy, db)
    finally:
        await storage.close()
    restore(copy, db)
    assert rows(db, "PRAGMA quick_check") == [("ok",)]
