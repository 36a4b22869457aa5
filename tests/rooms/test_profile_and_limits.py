"""Profiles validate as the contract says; token buckets follow the given clock."""

from __future__ import annotations

import pytest

from rooms.errors import BadRequest
from rooms.profile import Profile
from rooms.ratelimit import Rate, TokenBucket


def test_profile_trims_and_keeps_fields() -> None:
    """Strings are trimmed, lists cleaned, the card has every field."""
    p = Profile.parse({"name": "  Aino ", "email": "aino@example.fi",
                       "website": "https://example.fi", "languages": ["fi", " sv ", ""]})
    assert p.name == "Aino" and p.languages == ("fi", "sv")
    assert p.card()["email"] == "aino@example.fi"


@pytest.mark.parametrize("payload, field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"name": "A", "email": "not-an-address"}, "email"),
    ({"name": "A", "website": "javascript:alert(1)"}, "website"),
    ({"name": "A", "website": "ftp://example.fi"}, "website"),
    ({"name": "A", "bio": "x" * 501}, "bio"),
    ({"name": "A", "languages": ["x"] * 11}, "languages"),
    ({"name": "A", "interests": "music"}, "interests"),
    ({"name": "A", "admin": True}, "admin"),
    ({"name": 5}, "name"),
])
def test_profile_rejects_bad_fields_by_name(payload: dict[str, object], field: str) -> None:
    """Each invalid or unknown field is rejected with BadRequest naming it."""
    with pytest.raises(BadRequest) as info:
        Profile.parse(payload)
    assert info.value.field == field


def test_profile_update_changes_only_given_fields() -> None:
    """updated() replaces only the fields present."""
    p = Profile.parse({"name": "Aino", "title": "Coordinator"})
    q = p.updated({"organization": "Yhdistys ry"})
    assert q.title == "Coordinator" and q.organization == "Yhdistys ry"
    with pytest.raises(BadRequest):
        p.updated({})


def test_token_bucket_refills_with_time() -> None:
    """A bucket allows its burst, then refills at its rate."""
    bucket = TokenBucket.full(Rate(burst=2, per_second=1), now_ms=0)
    assert bucket.take(0) and bucket.take(0) and not bucket.take(0)
    assert not bucket.take(500)
    assert bucket.take(1000)
