"""Issue 12 on the real server: titles and themes per language (config, host edits,
wire), flags resolved by moderators (roles, log, durability) and the report's chart
data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.config import ConfigError, load
from tests.conftest import Server, running, write_config
from tests.server.test_staff import get, log_of, rows, settle, tables

PER_LANGUAGE = """
[[events]]
slug = "kielet"
title = "Kielimessut"
language = "sv"

[[events.rooms]]
title = { fi = "Työ", sv = "Arbete", en = "Work" }
theme = { fi = "Työnhaku", en = "Job seeking" }

[[events.rooms]]
title = "Bara svenska"
"""


async def test_config_titles_per_language_reach_the_wire(tmp_path: Path) -> None:
    """A table's title table in config.toml gives `titles`/`themes` on the wire; the
    plain strings are in the event's language, else the first that exists; a plain
    string is in the event's language; the lobby is named in all three."""
    config = load(write_config(tmp_path, extra=PER_LANGUAGE))
    async with running(config) as server:
        async with server.http.get(f"{server.url}/api/events/kielet") as resp:
            body = await resp.json()
        lobby, work, plain = body["rooms"]
        assert lobby["titles"] == {"fi": "Aula", "sv": "Foajén", "en": "Lobby"}
        assert lobby["title"] == "Foajén" and lobby["themes"]["fi"] == "Kaikki aloittavat täältä"
        assert work["titles"] == {"fi": "Työ", "sv": "Arbete", "en": "Work"}
        assert (work["title"], work["theme"]) == ("Arbete", "Työnhaku")
        assert work["themes"] == {"fi": "Työnhaku", "en": "Job seeking"}
        assert (plain["title"], plain["titles"], plain["themes"]) == (
            "Bara svenska", {"sv": "Bara svenska"}, {})


@pytest.mark.parametrize("bad", [
    'title = { de = "Arbeit" }',
    'title = { fi = "" }',
    f'title = {{ fi = "{"x" * 81}" }}',
    'title = "Työ"\ntheme = { fi = 3 }',
])
def test_config_refuses_bad_titles(tmp_path: Path, bad: str) -> None:
    """An unknown language, an empty or too long title, a theme that is not text stop
    start-up with a message."""
    extra = f'[[events]]\nslug = "x"\ntitle = "X"\n\n[[events.rooms]]\n{bad}\n'
    with pytest.raises(ConfigError):
        load(write_config(tmp_path, extra=extra))


def test_config_refuses_an_unknown_event_language(tmp_path: Path) -> None:
    extra = '[[events]]\nslug = "x"\ntitle = "X"\nlanguage = "de"\n'
    with pytest.raises(ConfigError, match="language"):
        load(write_config(tmp_path, extra=extra))


async def test_host_edits_titles_per_language_stored_and_sent(server: Server) -> None:
    """room:update with `titles`/`themes` replaces every language, derives the plain
    strings (the event's language is fi), reaches presence, is logged and stored; a
    plain `title` from a contract client replaces the fi title only."""
    host = await server.staff("host", "Hanna")
    welcome = await host.connect()
    anna = await server.connected("Anna")
    room = tables(welcome)[0]
    reply = await host.call("room:update", {
        "room": room, "titles": {"fi": " Työ ", "sv": "Arbete", "en": ""},
        "themes": {"en": "Jobs"}})
    assert reply["ok"], reply
    wire = reply["room"]
    assert (wire["title"], wire["titles"]) == ("Työ", {"fi": "Työ", "sv": "Arbete"})
    assert (wire["theme"], wire["themes"]) == ("Jobs", {"en": "Jobs"})
    await anna.seen.wait_for(
        "presence", lambda d: any(r.get("titles", {}).get("sv") == "Arbete" for r in d["rooms"]))
    reply = await host.call("room:update", {"room": room, "title": "Työpaikat"})
    assert reply["room"]["titles"] == {"fi": "Työpaikat", "sv": "Arbete"}
    reply = await host.call("room:create", {"titles": {"en": "Only English"}, "capacity": 3})
    assert reply["ok"] and reply["room"]["title"] == "Only English"
    stored = await rows(server, "SELECT title, theme, titles, themes FROM rooms WHERE id = ?",
                        room)
    assert stored[0]["title"] == "Työpaikat"
    assert '"sv": "Arbete"' in stored[0]["titles"] and '"en": "Jobs"' in stored[0]["themes"]
    logged = [r for r in await log_of(server) if r["action"] == "room:update"]
    assert '"titles"' in logged[0]["detail"]


@pytest.mark.parametrize("payload", [
    {"titles": {"de": "Arbeit"}},
    {"titles": {"fi": "x" * 81}},
    {"themes": {"sv": "x" * 201}},
    {"titles": {"fi": 3}},
    {"titles": ["fi", "Työ"]},
    {"titles": {"fi": "", "sv": " "}},
])
async def test_bad_titles_are_bad_request_and_change_nothing(
        server: Server, payload: dict[str, Any]) -> None:
    """Unknown languages, too long texts, non-text values and no title at all are
    `bad_request`; the room stays as it was."""
    host = await server.staff("host", "Hanna")
    welcome = await host.connect()
    room = tables(welcome)[0]
    before = await rows(server, "SELECT title, titles, themes FROM rooms WHERE id = ?", room)
    reply = await host.call("room:update", {"room": room, **payload})
    assert reply["error"]["code"] == "bad_request", reply
    create = await host.call("room:create", {"title": "T", **payload})
    assert create["error"]["code"] == "bad_request", create
    assert await rows(server, "SELECT title, titles, themes FROM rooms WHERE id = ?",
                      room) == before


async def _flagged(server: Server) -> tuple[Any, Any, Any, str]:
    mod = await server.staff("moderator", "Mika")
    await mod.connect()
    anna, bert = await server.connected("Anna"), await server.connected("Bert")
    flag = (await anna.call("flag", {"person": bert.id, "reason": "Mainostaa"}))["flag"]
    return mod, anna, bert, flag


async def test_a_moderator_resolves_a_flag_and_every_staff_member_hears(server: Server) -> None:
    """flag:resolve acks the resolved flag, every staff connection gets flag:resolved
    (attendees do not), the log has a row, the flags list says who and when, and a
    second resolve is `conflict`."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    mod, anna, bert, flag = await _flagged(server)
    reply = await mod.call("flag:resolve", {"flag": flag})
    assert reply["ok"], reply
    resolved = reply["flag"]
    assert (resolved["flag"], resolved["person"], resolved["resolved_by"],
            resolved["resolved_by_name"]) == (flag, bert.id, mod.id, "Mika")
    told = await host.seen.wait_for("flag:resolved", lambda f: f["flag"] == flag)
    assert told == resolved
    await mod.seen.wait_for("flag:resolved", lambda f: f["flag"] == flag)
    await settle(anna, bert)
    assert anna.seen.of("flag:resolved") == [] and bert.seen.of("flag:resolved") == []
    row = (await log_of(server))[-1]
    assert (row["action"], row["actor"], row["target"]) == ("flag:resolve", mod.id, bert.id)
    _, flags = await get(server, "/api/events/testfair/flags", mod.token)
    assert (flags[0]["resolved_at"], flags[0]["resolved_by_name"]) == (
        resolved["resolved_at"], "Mika")
    again = await host.call("flag:resolve", {"flag": flag})
    assert again["error"]["code"] == "conflict"


async def test_only_staff_resolve_and_never_about_themselves(server: Server) -> None:
    """An attendee is `forbidden`, an unknown flag `not_found`, a moderator cannot
    resolve a report about themselves; nothing is logged for refusals."""
    mod, anna, _bert, flag = await _flagged(server)
    logged = len(await log_of(server))
    assert (await anna.call("flag:resolve", {"flag": flag}))["error"]["code"] == "forbidden"
    assert (await mod.call("flag:resolve", {"flag": "f_nothing"}))["error"]["code"] == "not_found"
    assert (await mod.call("flag:resolve", {}))["error"]["code"] == "bad_request"
    about_mod = (await anna.call("flag", {"person": mod.id, "reason": "Tyly"}))["flag"]
    assert (await mod.call("flag:resolve", {"flag": about_mod}))["error"]["code"] == "forbidden"
    assert len(await log_of(server)) == logged


async def test_a_resolved_flag_stays_resolved_after_a_restart(tmp_path: Path) -> None:
    """The resolution is in SQLite: the flags list after a restart still has it."""
    config = load(write_config(tmp_path))
    async with running(config) as server:
        mod, _, _, flag = await _flagged(server)
        assert (await mod.call("flag:resolve", {"flag": flag}))["ok"]
        token = mod.token
    async with running(config) as server:
        _, flags = await get(server, "/api/events/testfair/flags", token)
        assert flags[0]["flag"] == flag and flags[0]["resolved_by_name"] == "Mika"


async def test_report_has_arrivals_and_a_contacts_histogram(server: Server) -> None:
    """The report adds arrivals in 5-minute buckets and contacts per attendee as a
    histogram (counts only), and each room's `titles`."""
    host = await server.staff("host", "Hanna")
    await host.connect()
    anna, bert = await server.connected("Anna"), await server.connected("Bert")
    await server.connected("Cecilia")
    request = await anna.call("card:request", {"to": bert.id})
    assert (await bert.call("card:respond", {"request": request["request"], "accept": True}))["ok"]
    _, report = await get(server, "/api/events/testfair/report", host.token)
    assert report["contacts_histogram"] == [1, 2]
    arrivals = report["arrivals"]
    assert arrivals["bucket_s"] == 300 and sum(arrivals["counts"]) == 3
    assert arrivals["start"] % 300_000 == 0
    assert report["rooms"][0]["titles"]["en"] == "Lobby"
    assert "Anna" not in str(report)
