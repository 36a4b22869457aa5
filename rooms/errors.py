"""The one error hierarchy of Kohtaamo.

Every error a person can cause carries a `code` from the wire contract; the
server translates them to error acks and HTTP errors in one place
(`server.errors`)::

    KohtaamoError               internal
    ├── BadRequest              bad_request
    ├── Unauthorized            unauthorized
    │   └── Banned              banned
    ├── Forbidden               forbidden
    ├── NotFound                not_found
    ├── RoomClosed              room_closed
    ├── RoomFull                room_full
    ├── Muted                   muted
    ├── RateLimited             rate_limited
    ├── Conflict                conflict
    ├── Moved                   moved
    └── Unavailable             unavailable

An error about one input names it (`field`) and may say what is wrong with it
in a machine-readable way (`reason`, one of `Reason`, with `limit` for the
lengths and counts that have one), so a client can say it in its reader's
language next to that input (an extension, issue 12).
"""

from __future__ import annotations

import enum
from typing import Any


class Reason(enum.StrEnum):
    """What is wrong with a named input (`error.reason` on the wire)."""

    REQUIRED = "required"            # missing, or empty after trimming
    TOO_LONG = "too_long"            # `max`: the most characters
    TOO_MANY = "too_many"            # `max`: the most items in a list
    ITEM_TOO_LONG = "item_too_long"  # `max`: the most characters of one item
    NOT_TEXT = "not_text"
    NOT_LIST = "not_list"
    NOT_NUMBER = "not_number"
    NOT_BOOLEAN = "not_boolean"
    NOT_ID = "not_id"
    OUT_OF_RANGE = "out_of_range"    # `min` and `max`: the whole numbers allowed
    UNKNOWN_FIELD = "unknown_field"
    INVALID = "invalid"              # not one of the allowed values or shapes
    INVALID_EMAIL = "invalid_email"
    INVALID_URL = "invalid_url"
    INVALID_PHONE = "invalid_phone"
    WRONG_CODE = "wrong_code"        # the join code


class KohtaamoError(Exception):
    """Base of every error with a contract code. `field` names the bad input,
    `reason` says what is wrong with it, `limit` is the (low, high) bound broken."""

    code = "internal"

    def __init__(
        self, message: str, field: str | None = None, *, reason: Reason | None = None,
        limit: tuple[int | None, int | None] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.reason = reason
        self.limit = limit

    def details(self) -> dict[str, Any]:
        """`field`, `reason`, `min` and `max`, those that are known."""
        out: dict[str, Any] = {}
        if self.field is not None:
            out["field"] = self.field
        if self.reason is not None:
            out["reason"] = self.reason.value
        if self.limit is not None:
            low, high = self.limit
            if low is not None:
                out["min"] = low
            if high is not None:
                out["max"] = high
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details()}


class BadRequest(KohtaamoError):
    code = "bad_request"


class Unauthorized(KohtaamoError):
    code = "unauthorized"


class Banned(Unauthorized):
    code = "banned"


class Forbidden(KohtaamoError):
    code = "forbidden"


class NotFound(KohtaamoError):
    code = "not_found"


class RoomClosed(KohtaamoError):
    code = "room_closed"


class RoomFull(KohtaamoError):
    code = "room_full"


class Muted(KohtaamoError):
    code = "muted"


class RateLimited(KohtaamoError):
    code = "rate_limited"


class Conflict(KohtaamoError):
    code = "conflict"


class Unavailable(KohtaamoError):
    """Voice and video are off at this event, or the media engine cannot be reached."""

    code = "unavailable"


class Moved(KohtaamoError):
    """The request was meant for a room the person is no longer in (v1.1)."""

    code = "moved"


#: Every code a request can fail with, as the contract lists them.
ERROR_CODES = frozenset(
    cls.code
    for cls in (
        BadRequest, Unauthorized, Forbidden, NotFound, RoomClosed, RoomFull,
        Muted, RateLimited, Conflict, Moved, Unavailable, KohtaamoError,
    )
)
