"""Field errors say which input is wrong and why, machine-readably; inputs forgive
what people type (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Server

JOIN = "/api/events/testfair/join"


async def request(server: Server, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with server.http.request(method, server.url + path, **kwargs) as resp:
        return resp.status, await resp.json()


@pytest.mark.parametrize("payload, expected", [
    ({}, {"field": "name", "reason": "required"}),
    ({"name": "   "}, {"field": "name", "reason": "required"}),
    ({"name": "x" * 81}, {"field": "name", "reason": "too_long", "max": 80}),
    ({"name": "A", "bio": "b" * 501}, {"field": "bio", "reason": "too_long", "max": 500}),
    ({"name": "A", "email": "aino.example.fi"}, {"field": "email", "reason": "invalid_email"}),
    ({"name": "A", "website": "javascript:alert(1)"},
     {"field": "website", "reason": "invalid_url"}),
    ({"name": "A", "website": "ftp://example.fi"}, {"field": "website", "reason": "invalid_url"}),
    ({"name": "A", "website": "my site"}, {"field": "website", "reason": "invalid_url"}),
    ({"name": "A", "phone": "call me"}, {"field": "phone", "reason": "invalid_phone"}),
    ({"name": "A", "interests": ["x"] * 21}, {"field": "interests", "reason": "too_many",
                                               "max": 20}),
    ({"name": "A", "languages": ["x" * 41]}, {"field": "languages", "reason": "item_too_long",
                                              "max": 40}),
    ({"name": "A", "interests": "music"}, {"field": "interests", "reason": "not_list"}),
    ({"name": ["A"]}, {"field": "name", "reason": "not_text"}),
    ({"name": "A", "role": "host"}, {"field": "role", "reason": "unknown_field"}),
])
async def test_join_names_the_field_and_the_reason(
    server: Server, payload: dict[str, Any], expected: dict[str, Any],
) -> None:
    """A refused join is 400 with `field`, `reason` and, for lengths and counts, `max`."""
    status, body = await request(server, "POST", JOIN, json=payload)
    assert status == 400, body
    error = body["error"]
    assert error["code"] == "bad_request" and error["message"]
    assert {k: error[k] for k in expected} == expected
    if "max" not in expected:
        assert "max" not in error


async def test_wrong_join_code_says_so(tmp_path: Any) -> None:
    """A join code mismatch is 403 forbidden, field `code`, reason `wrong_code`."""
    from server.config import load
    from tests.conftest import running, write_config

    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('description = "A fair for tests"',
                                 'description = "A fair for tests"\ncode = "kahvi"'), "utf-8")
    async with running(load(path)) as server:
        status, body = await request(server, "POST", JOIN, json={"name": "A", "code": "tee"})
    assert status == 403
    assert (body["error"]["field"], body["error"]["reason"]) == ("code", "wrong_code")


@pytest.mark.parametrize("typed, stored", [
    ("www.example.fi", "https://www.example.fi"),
    ("example.fi/path?x=1", "https://example.fi/path?x=1"),
    ("example.fi:8080/a", "https://example.fi:8080/a"),
    ("//cdn.example.fi", "https://cdn.example.fi"),
    ("http://example.fi", "http://example.fi"),
    ("https://example.fi/", "https://example.fi/"),
])
async def test_a_website_without_a_scheme_gets_https(
    server: Server, typed: str, stored: str,
) -> None:
    """Join and PATCH /api/me complete a website typed without a scheme to https://."""
    status, body = await request(server, "POST", JOIN, json={"name": "A", "website": typed})
    assert status == 201, body
    auth = {"Authorization": f"Bearer {body['token']}"}
    status, body = await request(server, "GET", "/api/me", headers=auth)
    assert body["card"]["website"] == stored
    status, body = await request(server, "PATCH", "/api/me", headers=auth,
                                 json={"website": f" {typed} "})
    assert status == 200 and body["card"]["website"] == stored


async def test_a_completed_website_still_has_its_length_limit(server: Server) -> None:
    """199 characters typed plus https:// is past the 200 limit: too_long, max 200."""
    typed = "example.fi/" + "a" * 188
    status, body = await request(server, "POST", JOIN, json={"name": "A", "website": typed})
    assert status == 400
    assert (body["error"]["reason"], body["error"]["max"]) == ("too_long", 200)


@pytest.mark.parametrize("typed", ["+358 40 123 4567", "040-123 4567", "(09) 123.456",
                                   "+358 (0)40 123-45-67"])
async def test_phone_numbers_with_spaces_and_dashes_are_accepted(
    server: Server, typed: str,
) -> None:
    """A phone with spaces, dashes, dots or brackets is kept as typed."""
    status, body = await request(server, "POST", JOIN, json={"name": "A", "phone": typed})
    assert status == 201, body
    auth = {"Authorization": f"Bearer {body['token']}"}
    status, body = await request(server, "GET", "/api/me", headers=auth)
    assert body["card"]["phone"] == typed


async def test_patch_me_names_the_field_and_the_reason(server: Server) -> None:
    """PATCH /api/me refuses like join does, and changes nothing."""
    anna = await server.join("Anna", email="anna@example.fi")
    auth = {"Authorization": f"Bearer {anna.token}"}
    status, body = await request(server, "PATCH", "/api/me", headers=auth,
                                 json={"email": "anna(at)example.fi", "title": "t" * 121})
    assert status == 400 and body["error"]["field"] in {"email", "title"}
    status, body = await request(server, "PATCH", "/api/me", headers=auth,
                                 json={"email": "anna(at)example.fi"})
    assert (body["error"]["field"], body["error"]["reason"]) == ("email", "invalid_email")
    status, body = await request(server, "GET", "/api/me", headers=auth)
    assert body["card"]["email"] == "anna@example.fi"


async def test_acks_carry_the_field_and_the_reason(server: Server) -> None:
    """A Socket.IO request's error ack names the field, the reason and its bounds."""
    anna = await server.connected("Anna")
    reply = await anna.call("say", {"text": "x" * 1001})
    assert reply["error"] == {"code": "bad_request", "field": "text", "reason": "too_long",
                              "max": 1000, "message": reply["error"]["message"]}
    reply = await anna.call("say", {"text": "  "})
    assert (reply["error"]["field"], reply["error"]["reason"]) == ("text", "required")
    reply = await anna.call("status", {"status": "sleeping"})
    assert (reply["error"]["field"], reply["error"]["reason"]) == ("status", "invalid")
    host = await server.staff("host", "Hanna")
    await host.connect()
    reply = await host.call("timer:set", {"seconds": 0, "label": ""})
    assert reply["error"]["reason"] == "out_of_range"
    assert (reply["error"]["min"], reply["error"]["max"]) == (1, 86_400)
