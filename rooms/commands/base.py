"""The checks a command field declares, `field`, and the `Command` base."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from rooms import languages
from rooms import validate as v
from rooms.errors import BadRequest, Reason
from rooms.model import Status

MAX_CHAT = 1000
MAX_TITLE = 80
MAX_THEME = 200
MAX_REASON = 500
MAX_LABEL = 120
MAX_CAPACITY = 10_000
#: Longest mute a moderator can set, in minutes (30 days).
MAX_MUTE_MINUTES = 43_200

Check = Callable[[Mapping[str, Any], str], Any]


def field(check: Check, *, key: str | None = None) -> Any:
    """A command field validated by `check(payload, name)`; `key` names it in the
    payload when that is no Python name (`in`)."""
    return dataclasses.field(metadata={"check": check, "key": key})


# --- checks ----------------------------------------------------------------------

ident: Check = v.ident
number: Check = v.number


def text(max_len: int) -> Check:
    """Required text of 1..max_len characters after trimming."""
    return lambda data, name: v.required_text(data, name, max_len=max_len)


def optional_text(max_len: int, *, empty: str | None = None) -> Check:
    """Text that may be left out (then `empty`); may be empty when `empty` is given."""
    min_len = 0 if empty is not None else 1

    def check(data: Mapping[str, Any], name: str) -> str | None:
        value = v.text(data, name, max_len=max_len, min_len=min_len, required=False)
        return empty if value is None else value

    return check


def optional_ident(data: Mapping[str, Any], name: str) -> str | None:
    """An id that may be left out (None)."""
    return None if data.get(name) is None else v.ident(data, name)


def whole(low: int, high: int, *, required: bool = True) -> Check:
    return lambda data, name: v.integer(data, name, low=low, high=high, required=required)


def required_flag(data: Mapping[str, Any], name: str) -> bool:
    if name not in data:
        raise BadRequest(f"{name} is required", field=name, reason=Reason.REQUIRED)
    return v.flag(data, name)


def optional_flag(data: Mapping[str, Any], name: str) -> bool:
    return v.flag(data, name)


def known_status(data: Mapping[str, Any], name: str) -> Status:
    value = data.get(name)
    if not isinstance(value, str) or value not in {s.value for s in Status}:
        raise v.invalid(name, "status must be available, busy or away")
    return Status(value)


capacity = whole(1, MAX_CAPACITY, required=False)


def texts(max_len: int) -> Check:
    """(issue 12) An optional map of language -> text (None when absent)."""
    return lambda data, name: languages.optional_texts(data, name, max_len=max_len)


# --- the base --------------------------------------------------------------------


class Command:
    """Base: `name` is the request's event name; the dataclass fields its payload."""

    name: ClassVar[str]

    @classmethod
    def parse(cls, payload: object) -> Self:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        checked = [(f, f.metadata["key"] or f.name) for f in fields if "check" in f.metadata]
        data = v.mapping(payload, frozenset(key for _f, key in checked))
        return cls(**{f.name: f.metadata["check"](data, key) for f, key in checked})
