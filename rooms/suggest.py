""""People you may want to meet" (issue 13): present attendees one has not met,
ranked by the interests and languages shared with them.

Pure and cheap (one pass over the people present); only public profile fields
and languages are compared, and what is returned is only what is shared.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rooms.floor import Floor

#: Most suggestions given at once.
MAX_SUGGESTIONS = 10


def _norm(values: Collection[str]) -> dict[str, str]:
    """casefolded -> as typed, so "Youth work" and "youth work" are one interest."""
    return {v.strip().casefold(): v.strip() for v in values if v.strip()}


def suggestions(floor: Floor, person_id: str, met: Mapping[str, Collection[str]],
                limit: int = MAX_SUGGESTIONS) -> list[dict[str, Any]]:
    """Up to `limit` `{person, interests, languages}`: attendees present now, not
    oneself, not met yet, sharing at least one interest or language, most shared
    interests first, then most shared languages. Raises NotFound for an unknown person."""
    me = floor.person(person_id)
    mine_i = _norm(me.profile.interests)
    mine_l = _norm(me.profile.languages)
    already = met.get(person_id, ())
    ranked: list[tuple[int, int, str, list[str], list[str]]] = []
    for other in floor.people.values():
        if (other.id == person_id or other.role.is_staff or not other.present
                or other.banned or other.id in already):
            continue
        interests = [mine_i[k] for k in _norm(other.profile.interests) if k in mine_i]
        languages = [mine_l[k] for k in _norm(other.profile.languages) if k in mine_l]
        if interests or languages:
            ranked.append((-len(interests), -len(languages), other.id, interests, languages))
    ranked.sort()
    return [{"person": floor.people[pid].wire(), "interests": interests, "languages": languages}
            for _i, _l, pid, interests, languages in ranked[:limit]]
