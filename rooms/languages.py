"""Text in the event's languages: table titles and themes per language (issue 12).

A room keeps its plain `title` and `theme` (what the contract sends, in the event's
default language) and, beside them, maps of language code -> text. The plain text
is always derived from the maps (`pick`), so the two never disagree. Rule: only
the languages the client speaks (`LANGUAGES`) are accepted; anything else is
`bad_request`, never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rooms.errors import BadRequest

#: The languages of the client, in the order a missing one falls back through.
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

#: The lobby's name and theme, in every language (the database row holds the plain ones).
LOBBY_TITLES: dict[str, str] = {"fi": "Aula", "sv": "Foajén", "en": "Lobby"}
LOBBY_THEMES: dict[str, str] = {
    "fi": "Kaikki aloittavat täältä",
    "sv": "Alla börjar här",
    "en": "Everyone starts here",
}


def pick(texts: Mapping[str, str], language: str, fallback: str = "") -> str:
    """The text in `language`, else in the first language that has one, else `fallback`."""
    if texts.get(language):
        return texts[language]
    return next((texts[code] for code in LANGUAGES if texts.get(code)), fallback)


def language(value: object, where: str = "language") -> str:
    """A language code the client speaks. Raises BadRequest."""
    if not isinstance(value, str) or value not in LANGUAGES:
        raise BadRequest(f"{where} must be one of {', '.join(LANGUAGES)}", field=where)
    return value


def texts(value: object, name: str, *, max_len: int) -> dict[str, str]:
    """A map of language code -> trimmed text of at most `max_len` characters.

    Empty texts are dropped (an empty field in the host's dialog removes that
    language). Raises BadRequest naming the field on an unknown language, a
    value that is not a string, or a text too long.
    """
    if not isinstance(value, Mapping):
        raise BadRequest(f"{name} must be an object of language: text", field=name)
    out: dict[str, str] = {}
    for code, text in value.items():
        if not isinstance(code, str) or code not in LANGUAGES:
            raise BadRequest(f"{name}: unknown language {str(code)[:10]!r}"
                             f" (one of {', '.join(LANGUAGES)})", field=name)
        if not isinstance(text, str) or len(text) > max_len * 4:
            raise BadRequest(f"{name}.{code} must be text of at most {max_len} characters",
                             field=name)
        text = text.strip()
        if len(text) > max_len:
            raise BadRequest(f"{name}.{code} is longer than {max_len} characters", field=name)
        if text:
            out[code] = text
    return out


def optional_texts(data: Mapping[str, Any], name: str, *, max_len: int) -> dict[str, str] | None:
    """`texts` of `data[name]`, or None when the field is absent or null."""
    value = data.get(name)
    return None if value is None else texts(value, name, max_len=max_len)


def merged(texts_now: Mapping[str, str], language_: str, plain: str | None,
           given: Mapping[str, str] | None) -> dict[str, str]:
    """The texts after an edit: `given` replaces them all; a plain text alone (a
    client of the contract renaming) replaces the default language's entry."""
    if given is not None:
        return dict(given)
    if plain is None:
        return dict(texts_now)
    if not plain:  # no theme at all, in any language
        return {}
    return {**texts_now, language_: plain}
