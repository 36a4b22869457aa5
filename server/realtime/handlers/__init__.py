"""Request handlers: one small function per contract request.

Each takes the request's context and its validated command, calls the domain
(and storage where a promise of durability needs it) and returns the ack's
extra fields with the outbox to deliver. Parsing happened before (the
command's `parse`); errors are translated after (`server.realtime.namespace`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from rooms import commands as c
from rooms.event import Event
from rooms.outbound import Outbox
from server.world import World


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    world: World
    event: Event
    person: str
    now: int


Reply = tuple[dict[str, Any], Outbox]
Handler = Callable[[Context, Any], Awaitable[Reply]]
ROUTES: dict[str, Handler] = {}


def route(command: type[c.Command]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        ROUTES[command.name] = fn
        return fn
    return register




def load_all() -> None:
    """Import every handler module so their routes are registered."""
    from server.realtime.handlers import cards, floor, staff  # noqa: F401
