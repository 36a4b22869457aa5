"""Finding people of an event, on the floor or not: the people search.

People who left stay findable, so a card request can still reach them (it waits
for them, as every pending request does). Only public fields are searched and
returned (`Person.wire`), never the card. Erased people are gone from the
event already; banned people are left out. Pure: the server pages the answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from rooms.errors import BadRequest
from rooms.model import Person

#: Most people one page holds, and the default.
MAX_PAGE = 50
#: Longest query taken.
MAX_QUERY = 200


def fold(text: str) -> str:
    """Lower case without accents, so "Jyväskylä" finds "jyvaskyla" and "JYVÄSKYLÄ"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _key(person: Person) -> tuple[str, str]:
    return fold(person.profile.name), person.id


def _haystack(person: Person) -> str:
    p = person.profile
    return fold(" ".join((p.name, p.organization, p.title, *p.interests)))


def cursor_of(person: Person) -> str:
    """An opaque place in the list, after `person`: its id, a dot, its folded name."""
    name, person_id = _key(person)
    return f"{person_id}.{name}"


def _parse_cursor(cursor: str) -> tuple[str, str]:
    person_id, dot, name = cursor.partition(".")
    if not dot or not person_id or len(cursor) > 400:
        raise BadRequest("after is not a place in the list of people", field="after")
    return name, person_id


def find_people(
    people: Iterable[Person], query: str = "", *, interest: str = "", after: str | None = None,
    limit: int = MAX_PAGE, absent_only: bool = False, exclude: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """People matching every word of `query` (in name, organization, title or an
    interest) and having `interest` (whole, when given), ordered by name: the
    page after the cursor `after`, and the cursor of the next page (None: no
    more). `absent_only` keeps those not on the floor; `exclude` (the asker)
    is left out. Raises BadRequest for a query too long or a bad cursor."""
    if len(query) > MAX_QUERY or len(interest) > MAX_QUERY:
        raise BadRequest(f"a search is at most {MAX_QUERY} characters", field="q")
    words = fold(query).split()
    wanted = fold(interest.strip())
    mark = _parse_cursor(after) if after else None
    found = [
        p for p in people
        if not p.banned and p.id != exclude and not (absent_only and p.present)
        and (mark is None or _key(p) > mark)
        and (not wanted or any(fold(i) == wanted for i in p.profile.interests))
        and all(w in _haystack(p) for w in words)
    ]
    found.sort(key=_key)
    page = found[:max(1, min(limit, MAX_PAGE))]
    more = len(found) > len(page)
    return [p.wire() for p in page], cursor_of(page[-1]) if more else None
