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
"""

from __future__ import annotations


class KohtaamoError(Exception):
    """Base of every error with a contract code. `field` names the bad input."""

    code = "internal"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


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
