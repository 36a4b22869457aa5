"""Small checks that turn untrusted payloads into plain typed values.

Each function either returns a clean value or raises `BadRequest` naming the
field. They never recurse into what they do not need, so a deeply nested or
huge payload costs no more than a flat one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rooms.errors import BadRequest, Reason

R = Reason

#: Longest string accepted in an id field; ids are short opaque strings.
MAX_ID = 64


def mapping(payload: object, allowed: frozenset[str] | None = None) -> Mapping[str, Any]:
    """The payload as a mapping; with `allowed`, unknown keys are rejected by name."""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise BadRequest("the payload must be an object")
    for key in payload:
        if not isinstance(key, str):
            raise BadRequest("field names must be strings")
        if allowed is not None and key not in allowed:
            raise BadRequest(f"unknown field: {key[:40]}", field=key[:40], reason=R.UNKNOWN_FIELD)
    return payload


def text(
    payload: Mapping[str, Any], name: str, *, max_len: int, min_len: int = 1,
    required: bool = True,
) -> str | None:
    """A trimmed string of `min_len`..`max_len` characters (None when optional and absent)."""
    value = payload.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name} is required", field=name, reason=R.REQUIRED)
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", field=name, reason=R.NOT_TEXT)
    if len(value) > max_len * 4:  # cheap guard before trimming a huge string
        raise too_long(name, max_len)
    value = value.strip()
    if len(value) < min_len:
        raise BadRequest(f"{name} must not be empty", field=name, reason=R.REQUIRED)
    if len(value) > max_len:
        raise too_long(name, max_len)
    return value


def invalid(name: str, message: str) -> BadRequest:
    """`name` is not one of the allowed values or shapes."""
    return BadRequest(message, field=name, reason=R.INVALID)


def too_long(name: str, max_len: int) -> BadRequest:
    return BadRequest(f"{name} is longer than {max_len} characters", field=name,
                      reason=R.TOO_LONG, limit=(None, max_len))


def required_text(payload: Mapping[str, Any], name: str, *, max_len: int) -> str:
    value = text(payload, name, max_len=max_len)
    assert value is not None
    return value


def ident(payload: Mapping[str, Any], name: str) -> str:
    """An opaque id: a non-empty string of at most MAX_ID characters."""
    value = payload.get(name)
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise BadRequest(f"{name} must be an id", field=name, reason=R.NOT_ID)
    return value


def number(payload: Mapping[str, Any], name: str) -> float:
    """A finite int or float (booleans are not numbers here)."""
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"{name} must be a number", field=name, reason=R.NOT_NUMBER)
    value = float(value)
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be finite", field=name, reason=R.NOT_NUMBER)
    return value


def integer(
    payload: Mapping[str, Any], name: str, *, low: int, high: int, required: bool = True,
) -> int | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}", field=name,
                         reason=R.OUT_OF_RANGE, limit=(low, high))
    return value


def flag(payload: Mapping[str, Any], name: str, *, default: bool = False) -> bool:
    value = payload.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false", field=name, reason=R.NOT_BOOLEAN)
    return value


def string_list(
    payload: Mapping[str, Any], name: str, *, max_items: int, max_len: int,
) -> tuple[str, ...]:
    """A list of short trimmed strings; empty strings are dropped."""
    value = payload.get(name)
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise BadRequest(f"{name} must be a list of strings", field=name, reason=R.NOT_LIST)
    if len(value) > max_items:
        raise BadRequest(f"{name} takes at most {max_items} items", field=name,
                         reason=R.TOO_MANY, limit=(None, max_items))
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or len(item.strip()) > max_len:
            raise BadRequest(
                f"{name} items must be strings of at most {max_len} characters", field=name,
                reason=R.ITEM_TOO_LONG, limit=(None, max_len),
            )
        if item.strip():
            items.append(item.strip())
    return tuple(items)
