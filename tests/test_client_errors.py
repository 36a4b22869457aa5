"""Every error the server can send has a sentence in fi, sv and en (issue 12).

Walks the server's own lists: the contract's codes, every code of the error
hierarchy (`banned` among them: connect refusals and HTTP errors), the HTTP
status table and aiohttp's errors on API paths, and every field `reason`; then
reads client/src/lang/{fi,sv,en}.js (no Node needed) and fails on any code or
reason without a translation, or with Finnish or Swedish left in English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rooms.errors import ERROR_CODES, KohtaamoError, Reason
from server.errors import STATUS
from server.http.errors import HTTP_CODES
from server.protocol_names import FIELD_REASONS, HTTP_ERROR_CODES

LANG = Path(__file__).resolve().parent.parent / "client" / "src" / "lang"
LANGS = ("fi", "sv", "en")
#: Codes the client makes itself: an ack that never came, a server not reached.
CLIENT_CODES = {"timeout", "network"}


def strings(lang: str) -> dict[str, str]:
    """Key -> text of a lang module (plural forms joined), read with a regex."""
    text = (LANG / f"{lang}.js").read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for key, value in re.findall(r'^\s*"([\w.]+)":\s*(.+?),?\s*$', text, re.MULTILINE):
        if value.startswith('"'):
            found[key] = json.loads(value)
        else:  # { one: "...", other: "..." }
            found[key] = " | ".join(json.loads(v) for v in re.findall(r'"(?:[^"\\]|\\.)*"', value))
    return found


def hierarchy(cls: type[KohtaamoError]) -> set[str]:
    return {cls.code}.union(*(hierarchy(sub) for sub in cls.__subclasses__()))


def every_code() -> set[str]:
    return (set(ERROR_CODES) | hierarchy(KohtaamoError) | set(STATUS)
            | set(HTTP_CODES.values()) | set(HTTP_ERROR_CODES) | CLIENT_CODES)


def test_the_walk_finds_the_codes_it_should() -> None:
    """The walk covers the contract, connect refusals and HTTP-only codes."""
    codes = every_code()
    assert {"room_full", "moved", "unavailable", "banned", "too_large", "timeout"} <= codes
    assert FIELD_REASONS == {r.value for r in Reason}
    assert {"invalid_email", "invalid_url", "too_long"} <= FIELD_REASONS
    assert len(strings("en")) > 300


@pytest.mark.parametrize("lang", LANGS)
def test_every_error_code_is_translated(lang: str) -> None:
    """`error.<code>` exists for every code the server (or the page) can produce."""
    have = strings(lang)
    missing = sorted(code for code in every_code() if not have.get(f"error.{code}"))
    assert missing == [], f"{lang}.js lacks error texts for {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_field_reason_is_translated(lang: str) -> None:
    """`field.<reason>` exists for every reason a field error can carry."""
    have = strings(lang)
    missing = sorted(r for r in FIELD_REASONS if not have.get(f"field.{r}"))
    assert missing == [], f"{lang}.js lacks field error texts for {missing}"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_are_not_left_in_english(lang: str) -> None:
    """No error or field text of fi or sv is the English one."""
    en, have = strings("en"), strings(lang)
    keys = [f"error.{c}" for c in every_code()] + [f"field.{r}" for r in FIELD_REASONS]
    same = sorted(k for k in keys if have.get(k) == en.get(k))
    assert same == [], f"{lang}.js has English for {same}"
