"""Request handlers: one small function per contract request.

Each takes the request's context and its validated command, calls the domain
(and storage where a promise of durability needs it) and returns the ack's
extra fields with the outbox to deliver. Parsing happened before (the
command's `parse`); errors are translated after (`server.sockets`).
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


@route(c.Enter)
async def enter(ctx: Context, cmd: c.Enter) -> Reply:
    detail, out = ctx.event.enter(ctx.person, cmd.room, ctx.now)
    return {"room": detail}, out


@route(c.Say)
async def say(ctx: Context, cmd: c.Say) -> Reply:
    message, out = ctx.event.say(ctx.person, cmd.text, ctx.now)
    return {"message": message}, out


@route(c.Whisper)
async def whisper(ctx: Context, cmd: c.Whisper) -> Reply:
    message, out = ctx.event.whisper(ctx.person, cmd.to, cmd.text, ctx.now)
    return {"message": message}, out


@route(c.SetStatus)
async def status(ctx: Context, cmd: c.SetStatus) -> Reply:
    ctx.event.set_status(ctx.person, cmd.status, ctx.now)
    return {}, []


@route(c.Wave)
async def wave(ctx: Context, cmd: c.Wave) -> Reply:
    return {}, ctx.event.wave(ctx.person, cmd.to, ctx.now)
