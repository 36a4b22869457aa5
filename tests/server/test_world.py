"""The world of a running server sees people another process stored (staff add while serving)."""

from __future__ import annotations

from rooms.model import Role
from rooms.profile import Profile
from server.keys import CONFIG
from server.store.storage import Storage
from server.tokens import hash_token, new_token
from tests.conftest import Person, Server


async def test_staff_added_by_another_process_can_connect(server: Server) -> None:
    """A moderator created in the database by the CLI while serving connects at once."""
    token = new_token()
    other = await Storage.open(server.app[CONFIG].database)
    try:
        person_id = await other.create_person(
            "testfair", Role.MODERATOR, Profile(name="Late Mod"), hash_token(token), 0)
    finally:
        await other.close()
    mod = Person(server, token, {"id": person_id})
    server.people.append(mod)
    welcome = await mod.connect()
    assert welcome is not None and welcome["me"]["role"] == "moderator"
    attendee = await server.connected("Anna")
    reply = await mod.call("mod:mute", {"person": attendee.id, "minutes": 5})
    assert reply["ok"], reply


async def test_moderation_log_names_actor_and_target(server: Server) -> None:
    """Log entries and flags carry readable names beside the ids."""
    host = await server.staff("host", "Hanna Host")
    await host.connect()
    anna = await server.connected("Anna")
    await host.call("mod:mute", {"person": anna.id})
    await anna.call("flag", {"person": host.id, "reason": "testing"})
    headers = {"Authorization": f"Bearer {host.token}"}
    async with server.http.get(f"{server.url}/api/events/testfair/moderation",
                               headers=headers) as r:
        log = await r.json()
    assert log[0]["actor_name"] == "Hanna Host" and log[0]["target_name"] == "Anna"
    async with server.http.get(f"{server.url}/api/events/testfair/flags", headers=headers) as r:
        flags = await r.json()
    assert flags[0]["from_name"] == "Anna" and flags[0]["person_name"] == "Hanna Host"


async def test_a_lifted_ban_lets_the_person_back_in(server: Server) -> None:
    """mod:unban clears a ban: the person connects again; bans lists them until then."""
    import socketio

    mod = await server.staff("moderator", "Mod")
    await mod.connect()
    anna = await server.connected("Anna")
    assert (await mod.call("mod:unban", {"person": anna.id}))["error"]["code"] == "conflict"
    assert (await mod.call("mod:kick", {"person": anna.id, "reason": "spam", "ban": True}))["ok"]
    await anna.seen.wait_for("disconnect")
    headers = {"Authorization": f"Bearer {mod.token}"}
    async with server.http.get(f"{server.url}/api/events/testfair/bans", headers=headers) as r:
        bans = await r.json()
    assert [(b["person"], b["name"], b["by_name"], b["reason"]) for b in bans] == [
        (anna.id, "Anna", "Mod", "spam")]
    client = socketio.AsyncClient(serializer="msgpack", reconnection=False)
    try:
        await client.connect(server.url, auth={"token": anna.token}, transports=["websocket"])
        raise AssertionError("a banned token connected")
    except socketio.exceptions.ConnectionError:
        pass
    assert (await mod.call("mod:unban", {"person": anna.id})) == {"ok": True}
    welcome = await anna.connect()
    assert welcome is not None and welcome["me"]["id"] == anna.id
    async with server.http.get(f"{server.url}/api/events/testfair/bans", headers=headers) as r:
        assert await r.json() == []
    for bad in (None, {}, {"person": 5}, {"person": "x" * 500}, {"person": anna.id, "x": 1}):
        assert (await mod.call("mod:unban", bad))["error"]["code"] == "bad_request"
    assert (await anna.call("mod:unban", {"person": mod.id}))["error"]["code"] == "forbidden"
