"""Finding people of an event (issue 12): on the floor or not, by words or interest, paged."""

from __future__ import annotations

import pytest

from rooms.directory import find_people
from rooms.errors import BadRequest
from rooms.model import Person, Role
from rooms.profile import Profile


def person(pid: str, name: str, *, interests: tuple[str, ...] = (), organization: str = "",
           room: str | None = None, banned: bool = False) -> Person:
    return Person(pid, Role.ATTENDEE, Profile(name=name, organization=organization,
                                              interests=interests, email=f"{pid}@example.fi"),
                  room=room, banned=banned)


PEOPLE = [
    person("p1", "Öljy Åström", interests=("Tekoäly", "design"), room="lobby"),
    person("p2", "Aino Virtanen", interests=("tekoaly",), organization="Jyväskylän yliopisto"),
    person("p3", "Bert Berg", interests=("sailing",)),
    person("p4", "Banned Bob", interests=("tekoäly",), banned=True),
]


def ids(found: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [p["id"] for p in found]


def test_finds_by_words_without_accents_and_case() -> None:
    """Every word must match name, organization, title or an interest; accents and case
    do not matter; banned people and the asker are never found."""
    assert ids(find_people(PEOPLE, "jyvaskylan aino")[0]) == ["p2"]
    assert ids(find_people(PEOPLE, "TEKOALY")[0]) == ["p2", "p1"]
    assert ids(find_people(PEOPLE, "", exclude="p2")[0]) == ["p3", "p1"]


def test_interest_matches_a_whole_tag() -> None:
    """`interest` keeps people with that tag (folded), not those where it is a substring."""
    assert ids(find_people(PEOPLE, interest="tekoäly")[0]) == ["p2", "p1"]
    assert ids(find_people(PEOPLE, interest="sign")[0]) == []


def test_absent_only_keeps_people_who_are_not_on_the_floor() -> None:
    """People who left (no room) are found; with absent_only those present are not."""
    assert ids(find_people(PEOPLE, absent_only=True)[0]) == ["p2", "p3"]


def test_public_fields_only() -> None:
    """The answer is the Person's public shape: never the card's email."""
    found, _ = find_people(PEOPLE, "bert")
    assert "email" not in found[0] and "p3@example.fi" not in repr(found)


def test_pages_follow_each_other() -> None:
    """Pages in name order, each after the last one's cursor, the last with no cursor."""
    crowd = [person(f"q{i:02}", f"Name {i:02}") for i in range(7)]
    seen: list[str] = []
    after = None
    for _ in range(4):
        page, after = find_people(crowd, limit=3, after=after)
        seen += ids(page)
        if after is None:
            break
    assert seen == [f"q{i:02}" for i in range(7)]
    with pytest.raises(BadRequest):
        find_people(crowd, after="no-dot-here")
    with pytest.raises(BadRequest):
        find_people(crowd, "x" * 201)
