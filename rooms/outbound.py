"""What the domain asks the server to deliver.

Operations return an `Outbox`: a list of `Message`s, each addressed to one
person, one room or a whole event, and `Relocate`s, which tell the delivery
layer that a person's connection now belongs to another room's channel. The
server turns them into Socket.IO emits in order; nothing here sends anything.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class ToPerson:
    person: str


@dataclasses.dataclass(frozen=True, slots=True)
class ToRoom:
    """Everyone seated at a table; with `compact` set, only those whose client asked
    for batched `room:changes` (True) or only the others (False)."""

    room: str
    exclude: str | None = None
    compact: bool | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ToEvent:
    event: str
    exclude: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ToStaff:
    """Hosts and moderators of an event who are online."""

    event: str


@dataclasses.dataclass(frozen=True, slots=True)
class ToHosts:
    """Hosts of an event who are online (raised hands, issue 12)."""

    event: str


Target = ToPerson | ToRoom | ToEvent | ToStaff | ToHosts


@dataclasses.dataclass(frozen=True, slots=True)
class Message:
    to: Target
    name: str
    data: Any


@dataclasses.dataclass(frozen=True, slots=True)
class Relocate:
    """`person` left room channel `left` (if any) and joined `entered` (if any)."""

    person: str
    left: str | None
    entered: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class EndSession:
    """Close the person's live connection after the messages before it."""

    person: str
    reason: str


Outbound = Message | Relocate | EndSession
Outbox = list[Outbound]


@dataclasses.dataclass(frozen=True, slots=True)
class Result:
    """What a request's operation did: the ack's extra fields and what to deliver.

    Every domain operation that answers a request returns one (housekeeping such
    as `expire` or `presence`, which answers nobody, returns a bare `Outbox`).
    """

    reply: dict[str, Any] = dataclasses.field(default_factory=dict)
    out: Outbox = dataclasses.field(default_factory=list)
