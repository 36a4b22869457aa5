"""Business cards on the real server: consent, durability, exports, erasure, the report."""

from __future__ import annotations

import csv
import io
import signal
from pathlib import Path
from typing import Any

import aiohttp
import socketio
import vobject

from server.config import load
from tests.conftest import Person, Server, running, write_config
from tests.server.process import serve

CARD = {"organization": "Monikulttuurinen yhdistys ry", "title": "Coordinator",
        "email": "aino@example.fi", "phone": "+358 40 123 4567",
        "website": "https://example.fi", "bio": "Youth work; language cafés.",
        "languages": ["fi", "en"], "interests": ["youth", "funding"]}


async def get(server: Server, path: str, person: Person) -> tuple[int, Any, str]:
    async with server.http.get(server.url + path,
                               headers={"Authorization": f"Bearer {person.token}"}) as resp:
        text = await resp.text()
        return resp.status, resp.headers.get("Content-Type", ""), text


async def exchange(a: Person, b: Person) -> dict[str, Any]:
    asked = await a.call("card:request", {"to": b.id})
    assert asked["ok"], asked
    requested = await b.seen.wait_for("card:requested", lambda d: d["request"] == asked["request"])
    assert requested["from"]["id"] == a.id
    reply = await b.call("card:respond", {"request": asked["request"], "accept": True})
    assert reply["ok"], reply
    return reply  # type: ignore[no-any-return]


async def test_accepted_exchange_sends_cards_to_both(server: Server) -> None:
    """After accept, both hear card:exchanged with the other's full card."""
    aino = await server.connected("Aino Virtanen", **CARD)
    bert = await server.connected("Bert")
    reply = await exchange(aino, bert)
    assert reply["contact"]["person"] == aino.id
    assert reply["contact"]["card"]["email"] == "aino@example.fi"
    got = await aino.seen.wait_for("card:exchanged")
    assert got["person"] == bert.id and got["card"]["name"] == "Bert"
    got = await bert.seen.wait_for("card:exchanged")
    assert got["card"]["phone"] == CARD["phone"]
    assert got["met_in_title"] == "Aula" and isinstance(got["at"], int)


async def test_cards_reach_nobody_else(server: Server) -> None:
    """Before and without acceptance no card field leaves the server, to anyone."""
    aino = await server.connected("Aino", **CARD)
    bert, cai = await server.connected("Bert"), await server.connected("Cai")
    await aino.call("card:request", {"to": bert.id})
    await bert.seen.wait_for("card:requested")
    for who in (bert, cai):
        await who.call("say", {"text": "sentinel"})
        await who.seen.wait_for("chat", lambda m: m["text"] == "sentinel")
        assert "aino@example.fi" not in repr(who.seen.events)
        status, _, text = await get(server, "/api/me/contacts", who)
        assert status == 200 and text == "[]"


async def test_decline_and_errors(server: Server) -> None:
    """Decline tells the requester; bad requests get the contract's errors."""
    aino, bert = await server.connected("Aino"), await server.connected("Bert")
    asked = await aino.call("card:request", {"to": bert.id})
    assert (await aino.call("card:respond", {"request": asked["request"], "accept": True})
            )["error"]["code"] == "not_found"
    reply = await bert.call("card:respond", {"request": asked["request"], "accept": False})
    assert reply == {"ok": True}
    assert (await aino.seen.wait_for("card:declined")) == {"request": asked["request"]}
    again = await bert.call("card:respond", {"request": asked["request"], "accept": True})
    assert again["error"]["code"] == "not_found"
    assert (await aino.call("card:request", {"to": aino.id}))["error"]["code"] == "conflict"
    assert (await aino.call("card:request", {"to": "p_ghost"}))["error"]["code"] == "not_found"
    assert (await aino.call("card:respond", {"request": "c1", "accept": "yes"})
            )["error"]["code"] == "bad_request"
    await exchange(aino, bert)
    assert (await bert.call("card:request", {"to": aino.id}))["error"]["code"] == "conflict"


async def test_mutual_request_exchanges_at_once(server: Server) -> None:
    """Asking someone who already asked you gives the contact in the ack."""
    aino, bert = await server.connected("Aino"), await server.connected("Bert")
    await aino.call("card:request", {"to": bert.id})
    reply = await bert.call("card:request", {"to": aino.id})
    assert reply["ok"] and reply["contact"]["person"] == aino.id
    await aino.seen.wait_for("card:exchanged")


async def test_pending_requests_come_back_in_welcome(tmp_path: Path) -> None:
    """A pending request is in welcome.requests after reconnect and after a restart."""
    config = load(write_config(tmp_path), database=tmp_path / "k.db")
    async with running(config) as srv:
        aino, bert = await srv.connected("Aino"), await srv.join("Bert")
        asked = await aino.call("card:request", {"to": bert.id})
        welcome = await bert.connect()
        assert welcome is not None
        assert [r["request"] for r in welcome["requests"]] == [asked["request"]]
        token, bert_id = bert.token, bert.id
    async with running(config) as srv:
        bert = Person(srv, token, {"id": bert_id})
        srv.people.append(bert)
        welcome = await bert.connect()
        assert welcome is not None and welcome["requests"][0]["request"] == asked["request"]
        reply = await bert.call("card:respond", {"request": asked["request"], "accept": True})
        assert reply["contact"]["card"]["name"] == "Aino"


async def test_acknowledged_exchange_survives_sigkill(tmp_path: Path) -> None:
    """An exchange acknowledged just before kill -9 is there after a restart."""
    config, db = write_config(tmp_path), tmp_path / "k.db"
    async with serve(config, db) as (url, proc), aiohttp.ClientSession() as http:
        tokens = []
        for name in ("Aino", "Bert"):
            async with http.post(f"{url}/api/events/testfair/join",
                                 json={"name": name, "email": f"{name.lower()}@example.fi"}) as r:
                tokens.append(await r.json())
        clients = []
        for t in tokens:
            client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
            await client.connect(url, auth={"token": t["token"]}, transports=["websocket"])
            clients.append(client)
        asked = await clients[0].call("card:request", {"to": tokens[1]["person"]["id"]})
        reply = await clients[1].call("card:respond",
                                      {"request": asked["request"], "accept": True})
        assert reply["ok"]
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        for client in clients:
            await client.disconnect()
    async with serve(config, db) as (url, _proc), aiohttp.ClientSession() as http:
        for mine, theirs in ((tokens[0], tokens[1]), (tokens[1], tokens[0])):
            async with http.get(f"{url}/api/me/contacts",
                                headers={"Authorization": f"Bearer {mine['token']}"}) as r:
                found = await r.json()
            assert [c["person"] for c in found] == [theirs["person"]["id"]]
            assert found[0]["card"]["email"] == theirs["person"]["name"].lower() + "@example.fi"


async def test_contacts_export_as_vcard_and_csv(server: Server) -> None:
    """vCard and CSV exports parse back with every field and where we met."""
    aino = await server.connected("Aino Virtanen", **CARD)
    bert = await server.connected("Bert")
    await exchange(aino, bert)
    status, ctype, text = await get(server, "/api/me/contacts?format=vcf", bert)
    assert status == 200 and ctype.startswith("text/vcard")
    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    card = cards[0]
    assert card.fn.value == "Aino Virtanen"
    assert card.n.value.family == "Virtanen" and card.n.value.given == "Aino"
    assert card.org.value == [CARD["organization"]] and card.title.value == "Coordinator"
    assert card.email.value == CARD["email"] and card.tel.value == CARD["phone"]
    assert card.url.value == CARD["website"]
    assert "Test fair" in card.note.value and "Aula" in card.note.value
    status, ctype, text = await get(server, "/api/me/contacts?format=csv", bert)
    assert status == 200 and ctype.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == "Aino Virtanen" and rows[0]["email"] == CARD["email"]
    assert rows[0]["languages"] == "fi; en" and rows[0]["met_in"] == "Aula"
    status, _, _ = await get(server, "/api/me/contacts?format=pdf", bert)
    assert status == 400


async def test_csv_neutralises_formulas(server: Server) -> None:
    """A card field starting with = is exported so spreadsheets do not run it."""
    evil = await server.connected("=HYPERLINK(\"http://x\")")
    bert = await server.connected("Bert")
    await exchange(evil, bert)
    _, _, text = await get(server, "/api/me/contacts?format=csv", bert)
    assert next(iter(csv.DictReader(io.StringIO(text))))["name"].startswith("'=")


async def test_patched_card_reaches_existing_contacts(server: Server) -> None:
    """Editing one's card updates it in the contact lists of people who have it."""
    aino, bert = await server.connected("Aino"), await server.connected("Bert")
    await exchange(aino, bert)
    async with server.http.patch(server.url + "/api/me", json={"title": "Director"},
                                 headers={"Authorization": f"Bearer {aino.token}"}) as r:
        assert r.status == 200
    _, _, text = await get(server, "/api/me/contacts", bert)
    assert '"Director"' in text


async def test_erasure_removes_me_and_stops_my_token(server: Server) -> None:
    """DELETE /api/me erases profile, requests and contacts; the token stops at once."""
    aino, bert = await server.connected("Aino"), await server.connected("Bert")
    cai = await server.connected("Cai")
    await exchange(aino, bert)
    await aino.call("card:request", {"to": cai.id})
    headers = {"Authorization": f"Bearer {aino.token}"}
    async with server.http.delete(server.url + "/api/me", headers=headers) as r:
        assert r.status == 204
    await aino.seen.wait_for("disconnect")
    await bert.seen.wait_for("presence", lambda d: aino.id in d["gone"])
    for path in ("/api/me", "/api/me/contacts"):
        async with server.http.get(server.url + path, headers=headers) as r:
            assert r.status == 401
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", lambda data: errors.append(data))
    try:
        await client.connect(server.url, auth={"token": aino.token}, transports=["websocket"])
    except socketio.exceptions.ConnectionError:
        pass
    assert errors and errors[0]["data"]["code"] == "unauthorized"
    welcome = await cai.connect()
    assert welcome is not None and welcome["requests"] == []
    reply = await bert.call("card:request", {"to": aino.id})
    assert reply["error"]["code"] == "not_found"


async def test_report_counts_without_cards(server: Server) -> None:
    """The host's report counts attendees, exchanges, contacts and table visits, no cards."""
    host = await server.staff("host", "Host")
    await host.connect()
    people = [await server.connected(n, email=f"{n.lower()}@example.fi")
              for n in ("Aino", "Bert", "Cai")]
    table = (await people[0].welcome())["rooms"][1]["id"]
    for p in people[:2]:
        assert (await p.call("enter", {"room": table}))["ok"]
    await exchange(people[0], people[1])
    await exchange(people[0], people[2])
    await people[1].call("enter", {"room": (await people[0].welcome())["rooms"][2]["id"]})
    status, ctype, text = await get(server, "/api/events/testfair/report", host)
    assert status == 200
    import json

    report = json.loads(text)
    assert report["event"] == "testfair" and report["attendees"] == 3
    assert report["exchanges"] == 2 and report["peak_concurrent"] >= 4
    assert report["contacts_per_attendee"] == {"mean": 1.33, "median": 1.0, "max": 2}
    row = next(r for r in report["rooms"] if r["room"] == table)
    assert row["visits"] == 2 and row["unique_visitors"] == 2 and row["mean_dwell_s"] >= 0
    assert "example.fi" not in text
    status, ctype, text = await get(server, "/api/events/testfair/report?format=csv", host)
    assert status == 200 and ctype.startswith("text/csv")
    assert text.splitlines()[0] == "room,title,visits,unique_visitors,mean_dwell_s"
    for who in (people[0],):
        status, _, _ = await get(server, "/api/events/testfair/report", who)
        assert status == 403
    moderator = await server.staff("moderator", "Mod")
    status, _, _ = await get(server, "/api/events/testfair/report", moderator)
    assert status == 403
