"""A person's profile: what they type when joining, and the card others may receive.

`Profile.parse` validates as the contract says: trimmed strings with their
length limits, an email that looks like an address, an http(s) website, short
lists of languages and interests, and unknown fields rejected by name.

It forgives what people type (issue 12): a website without a scheme
(`www.example.fi`, `example.fi/path`) is completed to `https://`, and a phone
number may hold spaces, dashes, dots and brackets. Every refusal names the
field and its `Reason`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from rooms import validate
from rooms.errors import BadRequest, Reason

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
#: A scheme someone wrote (`ftp:`, `javascript:`), not a host and port (`example.fi:8080`).
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
#: What may follow the `https://` we add: a host with a dot, a port, then a path.
_BARE_SITE = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d{1,5})?([/?#]\S*)?$")
#: Digits with the separators people use: +358 (0)40-123 45.67
_PHONE = re.compile(r"^\+?[\d\s().\-/]+$")
_PHONE_DIGITS = 3

#: Field name -> longest allowed text.
TEXT_FIELDS: dict[str, int] = {
    "name": 80,
    "organization": 120,
    "title": 120,
    "email": 254,
    "phone": 40,
    "website": 200,
    "bio": 500,
}
LIST_FIELDS: dict[str, tuple[int, int]] = {"languages": (10, 40), "interests": (20, 60)}
FIELDS = frozenset(TEXT_FIELDS) | frozenset(LIST_FIELDS)


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    name: str
    organization: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    bio: str = ""
    languages: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()

    @classmethod
    def parse(cls, payload: object, *, extra: frozenset[str] = frozenset()) -> Profile:
        """A full profile from a join payload. `extra` keys are allowed and ignored."""
        data = validate.mapping(payload, FIELDS | extra)
        return cls(**_fields(data, FIELDS))

    def updated(self, payload: object) -> Profile:
        """This profile with the fields present in `payload` replaced (PATCH)."""
        data = validate.mapping(payload, FIELDS)
        present = frozenset(data) & FIELDS
        if not present:
            raise BadRequest("nothing to update")
        return dataclasses.replace(self, **_fields(data, present))

    def card(self) -> dict[str, Any]:
        """The card: every profile field, as sent to accepted contacts only."""
        card = dataclasses.asdict(self)
        card["languages"] = list(self.languages)
        card["interests"] = list(self.interests)
        return card


def _fields(data: Mapping[str, Any], names: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names & frozenset(TEXT_FIELDS):
        if name == "name":
            out[name] = validate.required_text(data, name, max_len=TEXT_FIELDS[name])
            continue
        value = validate.text(data, name, max_len=TEXT_FIELDS[name], min_len=0, required=False)
        out[name] = value or ""
    for name in names & frozenset(LIST_FIELDS):
        max_items, max_len = LIST_FIELDS[name]
        out[name] = validate.string_list(data, name, max_items=max_items, max_len=max_len)
    if out.get("email") and not _EMAIL.match(out["email"]):
        raise BadRequest("email does not look like an address", field="email",
                         reason=Reason.INVALID_EMAIL)
    if out.get("website"):
        out["website"] = website(out["website"])
    if out.get("phone"):
        out["phone"] = phone(out["phone"])
    return out


def website(value: str) -> str:
    """An http(s) address; one typed without a scheme gets `https://`.
    Raises BadRequest (`invalid_url`, or `too_long` once completed)."""
    if value.startswith("//"):
        value = "https:" + value
    elif not _WEBSITE.match(value) and not _SCHEME.match(value) and _BARE_SITE.match(value):
        value = "https://" + value
    if not _WEBSITE.match(value):
        raise BadRequest("website must be an http or https address", field="website",
                         reason=Reason.INVALID_URL)
    if len(value) > TEXT_FIELDS["website"]:
        raise validate.too_long("website", TEXT_FIELDS["website"])
    return value


def phone(value: str) -> str:
    """Digits with spaces, dashes, dots, slashes and brackets, an optional leading +;
    runs of spaces become one. Raises BadRequest (`invalid_phone`)."""
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < _PHONE_DIGITS:
        raise BadRequest("phone must be digits, with spaces or dashes if you like",
                         field="phone", reason=Reason.INVALID_PHONE)
    return " ".join(value.split())
