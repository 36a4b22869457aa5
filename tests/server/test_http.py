"""The HTTP API: event info, joining with validation, one's own profile, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.config import load
from tests.conftest import Server, running, write_config


async def request(server: Server, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with server.http.request(method, server.url + path, **kwargs) as resp:
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body


def is_error(body: Any, code: str, field: str | None = None) -> bool:
    return body["error"]["code"] == code and body["error"]["field"] == field and bool(
        body["error"]["message"])


async def test_event_info(server: Server) -> None:
    """GET /api/events/{event} gives slug, title, description, requires_code and rooms."""
    status, body = await request(server, "GET", "/api/events/testfair")
    assert status == 200
    assert body["slug"] == "testfair" and body["requires_code"] is False
    assert [r["kind"] for r in body["rooms"]] == ["lobby", "table", "table", "table"]
    assert set(body["rooms"][1]) == {"id", "title", "theme", "kind", "open", "capacity", "count",
                                     "titles", "themes"}  # issue 12: by language
    status, body = await request(server, "GET", "/api/events/nope")
    assert status == 404 and is_error(body, "not_found")


async def test_join_returns_token_and_person(server: Server) -> None:
    """POST join gives 201 with a token and the public person, never the card."""
    status, body = await request(server, "POST", "/api/events/testfair/join",
                                 json={"name": " Aino ", "email": "aino@example.fi"})
    assert status == 201 and len(body["token"]) >= 22
    assert body["person"]["name"] == "Aino" and body["person"]["role"] == "attendee"
    assert "email" not in body["person"]


@pytest.mark.parametrize("payload, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"name": "A", "email": "nope"}, "email"),
    ({"name": "A", "website": "javascript:alert(1)"}, "website"),
    ({"name": "A", "role": "host"}, "role"),
    ({"name": "A", "code": 5}, "code"),
    ({"name": ["A"]}, "name"),
])
async def test_join_validates_the_profile(server: Server, payload: Any, field: str) -> None:
    """Invalid or unknown profile fields are 400 bad_request naming the field."""
    status, body = await request(server, "POST", "/api/events/testfair/join", json=payload)
    assert status == 400 and is_error(body, "bad_request", field)


@pytest.mark.parametrize("data", [b"", b"not json", b"[1,2]", b"null", b"\xff\xfe"])
async def test_join_rejects_non_objects(server: Server, data: bytes) -> None:
    """A body that is not a JSON object is 400 bad_request."""
    status, body = await request(server, "POST", "/api/events/testfair/join", data=data)
    assert status == 400 and body["error"]["code"] == "bad_request"


async def test_huge_bodies_are_413(server: Server) -> None:
    """A body above max_payload is refused with 413 in the error shape."""
    status, body = await request(server, "POST", "/api/events/testfair/join",
                                 data=b'{"name": "' + b"x" * 200_000 + b'"}')
    assert status == 413 and body["error"]["code"] == "bad_request"


async def test_join_code(tmp_path: Path) -> None:
    """An event with a code refuses a wrong or missing code with 403 naming `code`."""
    path = write_config(tmp_path)
    text = path.read_text().replace('slug = "testfair"', 'slug = "testfair"\ncode = "kahvi"')
    path.write_text(text)
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        status, body = await request(srv, "GET", "/api/events/testfair")
        assert body["requires_code"] is True
        for wrong in ({"name": "A"}, {"name": "A", "code": "tee"}):
            status, body = await request(srv, "POST", "/api/events/testfair/join", json=wrong)
            assert status == 403 and is_error(body, "forbidden", "code")
        status, body = await request(srv, "POST", "/api/events/testfair/join",
                                     json={"name": "A", "code": "kahvi"})
        assert status == 201


async def test_me_reads_and_patches_the_card(server: Server) -> None:
    """GET /api/me gives person and card; PATCH changes given fields and shows in presence."""
    watcher = await server.connected("Watcher")
    anna = await server.connected("Anna", title="Coordinator")
    auth = {"Authorization": f"Bearer {anna.token}"}
    status, body = await request(server, "GET", "/api/me", headers=auth)
    assert status == 200 and body["card"]["title"] == "Coordinator"
    status, body = await request(server, "PATCH", "/api/me", headers=auth,
                                 json={"organization": "Yhdistys ry", "phone": "+358 40 123"})
    assert status == 200
    assert body["card"]["organization"] == "Yhdistys ry" and body["card"]["title"] == "Coordinator"
    assert body["person"]["organization"] == "Yhdistys ry"
    await watcher.seen.wait_for("presence", lambda d: any(
        p["id"] == anna.id and p["organization"] == "Yhdistys ry" for p in d["people"]))
    status, body = await request(server, "PATCH", "/api/me", headers=auth, json={"role": "host"})
    assert status == 400 and is_error(body, "bad_request", "role")
    status, body = await request(server, "PATCH", "/api/me", headers=auth,
                                 json={"website": "ftp://x"})
    assert status == 400 and is_error(body, "bad_request", "website")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope-nope-nope-nope", "Basic abc",
                                    "Bearer " + "x" * 5000])
async def test_me_requires_a_valid_token(server: Server, header: str | None) -> None:
    """Without a valid bearer token /api/me is 401 unauthorized."""
    headers = {"Authorization": header} if header else {}
    status, body = await request(server, "GET", "/api/me", headers=headers)
    assert status == 401 and body["error"]["code"] == "unauthorized"


async def test_healthz(server: Server) -> None:
    """/healthz is 200 ok when the database and the tick loop are alive."""
    status, body = await request(server, "GET", "/healthz")
    assert status == 200 and body == {"status": "ok"}


async def test_unknown_api_paths_are_json_errors(server: Server) -> None:
    """Unknown API paths and methods answer in the error shape."""
    status, body = await request(server, "GET", "/api/nothing")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = await request(server, "DELETE", "/api/events/testfair")
    assert status == 405 and body["error"]["code"] == "bad_request"


async def test_pages_carry_a_strict_csp(server: Server) -> None:
    """Every response carries a Content-Security-Policy without inline script."""
    async with server.http.get(server.url + "/api/events/testfair") as resp:
        csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


async def test_full_event_refuses_joins(tmp_path: Path) -> None:
    """With everyone's seats taken, a join is 409 conflict; a seat freed lets the next in."""
    path = write_config(tmp_path, grace=0.2)
    text = path.read_text().replace('slug = "testfair"', 'slug = "testfair"\ncapacity = 2')
    path.write_text(text)
    async with running(load(path, database=tmp_path / "k.db")) as srv:
        first = await srv.connected("A")
        await srv.connected("B")
        status, body = await request(srv, "POST", "/api/events/testfair/join", json={"name": "C"})
        assert status == 409 and is_error(body, "conflict")
        assert "full" in body["error"]["message"]
        await first.close()
        await first.seen.wait_for("disconnect")
        await srv.connected("C")
