"""What erasure leaves behind (issue 10, point 13): chat history, the SQLite files,
and banned people's right to export and erase."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import socketio

from tests.conftest import Person, Server
from tests.server.test_cards import exchange

#: Unique markers, so a match in the files' bytes can only be this person's card.
SECRET = {"email": "erase-me-7f3a@example.fi", "phone": "+358 40 777 3311",
          "bio": "Bio-marker-91c2 that must not survive erasure."}
OLD_BIO = "Earlier-bio-marker-5d80 replaced by an edit."


def headers(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


async def call_http(server: Server, method: str, path: str, person: Person,
                    body: Any = None) -> tuple[int, str]:
    async with server.http.request(method, server.url + path, headers=headers(person),
                                   json=body) as resp:
        return resp.status, await resp.text()


def file_bytes(db: Path) -> bytes:
    """The database file and its -wal, as they are on disk now."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_erased_persons_lines_leave_chat_history(server: Server) -> None:
    """After erasure a newcomer's welcome and enter carry none of the erased person's lines."""
    aino, bert = await server.connected("Aino-Erased"), await server.connected("Bert")
    welcome = await aino.welcome()
    table = next(r["id"] for r in welcome["rooms"] if r["kind"] == "table")
    assert (await aino.call("say", {"text": "lobby line of Aino"}))["ok"]
    for who in (aino, bert):
        assert (await who.call("enter", {"room": table}))["ok"]
    for who, text in ((aino, "table line of Aino"), (bert, "table line of Bert"),
                      (aino, "another line of Aino")):
        assert (await who.call("say", {"text": text}))["ok"]
    status, _ = await call_http(server, "DELETE", "/api/me", aino)
    assert status == 204
    cai = await server.join("Cai")
    welcome = await cai.connect()
    assert welcome is not None
    assert welcome["room"]["chat"] == []
    entered = await cai.call("enter", {"room": table})
    assert [line["text"] for line in entered["room"]["chat"]] == ["table line of Bert"]
    assert "Aino" not in repr(entered) + repr(welcome)


async def test_erased_card_leaves_no_bytes_in_the_database_files(
        server: Server, tmp_path: Path) -> None:
    """After DELETE /api/me neither the .db nor the -wal holds the erased email, phone or bio."""
    db = tmp_path / "kohtaamo.db"
    aino = await server.join("Aino", **{**SECRET, "bio": OLD_BIO})
    bert = await server.connected("Bert", email="bert@example.fi")
    status, _ = await call_http(server, "PATCH", "/api/me", aino, {"bio": SECRET["bio"]})
    assert status == 200
    await aino.connect()
    assert (await aino.call("say", {"text": "hello"}))["ok"]
    before = file_bytes(db)
    for value in (*SECRET.values(), OLD_BIO):
        assert value.encode() in before, f"{value} was never written: the test proves nothing"
    status, _ = await call_http(server, "DELETE", "/api/me", aino)
    assert status == 204
    after = file_bytes(db)
    for value in (*SECRET.values(), OLD_BIO):
        assert value.encode() not in after, f"{value} is still in the database files"
    assert b"bert@example.fi" in after  # the others' data is untouched
    async with server.world().storage.db.execute(
            "SELECT profile, token_hash FROM people WHERE id = ?", (aino.id,)) as cur:
        row = await cur.fetchone()
    assert dict(row) == {"profile": '{"name": ""}', "token_hash": None}
    async with server.world().storage.db.execute("PRAGMA secure_delete") as cur:
        assert (await cur.fetchone())[0] == 1
    await bert.close()


async def test_banned_person_can_export_and_erase_but_not_connect(server: Server) -> None:
    """A banned person reads their profile and contacts and erases themselves; they can
    neither edit their card nor connect."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna, bert = await server.connected("Anna"), await server.connected("Bert", title="CTO")
    await exchange(anna, bert)
    reply = await host.call("mod:kick", {"person": anna.id, "reason": "spam", "ban": True})
    assert reply["ok"], reply
    await anna.seen.wait_for("disconnect")
    status, text = await call_http(server, "GET", "/api/me", anna)
    assert status == 200 and '"Anna"' in text
    status, text = await call_http(server, "GET", "/api/me/contacts", anna)
    assert status == 200 and '"CTO"' in text
    status, text = await call_http(server, "GET", "/api/me/contacts?format=vcf", anna)
    assert status == 200 and "FN:Bert" in text
    status, text = await call_http(server, "PATCH", "/api/me", anna, {"title": "x"})
    assert status == 403 and '"banned"' in text
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, auth={"token": anna.token}, transports=["websocket"],
                             wait_timeout=5)
    assert errors and errors[0]["data"]["code"] == "banned"
    status, _ = await call_http(server, "DELETE", "/api/me", anna)
    assert status == 204
    status, text = await call_http(server, "GET", "/api/me/contacts", anna)
    assert status == 401 and '"unauthorized"' in text
