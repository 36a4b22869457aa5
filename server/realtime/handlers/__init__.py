"""Request handlers: one small function per contract request.

Each takes the request's context and its validated command, calls the domain
(and storage where a promise of durability needs it) and returns the domain's
`Result`: the ack's extra fields and the outbox to deliver. Parsing happened
before (the command's `parse`); errors are translated after
(`server.realtime.namespace`).

Each handler module has one table, `HANDLERS`, from command class to handler;
`server.app` merges them (`merge`) and hands the merged table to the
namespace, as it adds each HTTP module's routes. No registry, no import side
effects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from rooms import commands as c
from rooms.event import Event
from rooms.outbound import Result
from server.world import World


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    world: World
    event: Event
    person: str
    now: int


Handler = Callable[[Context, Any], Awaitable[Result]]
Handlers = Mapping[type[c.Command], Handler]


def merge(*tables: Handlers) -> dict[type[c.Command], Handler]:
    """One table from the handler modules' tables; a command handled twice is an error."""
    merged: dict[type[c.Command], Handler] = {}
    for table in tables:
        for command, handler in table.items():
            if command in merged:
                raise ValueError(f"two handlers for {command.name!r}")
            merged[command] = handler
    return merged
