"""Handlers for the everyday floor: entering rooms, chat, whispers, status, waves."""

from __future__ import annotations

from rooms import commands as c
from rooms.outbound import Result
from server.realtime.handlers import Context, Handlers


async def enter(ctx: Context, cmd: c.Enter) -> Result:
    return ctx.event.enter(ctx.person, cmd.room, ctx.now)


async def say(ctx: Context, cmd: c.Say) -> Result:
    return ctx.event.say(ctx.person, cmd.text, ctx.now, cmd.room)


async def whisper(ctx: Context, cmd: c.Whisper) -> Result:
    return ctx.event.whisper(ctx.person, cmd.to, cmd.text, ctx.now)


async def status(ctx: Context, cmd: c.SetStatus) -> Result:
    return ctx.event.set_status(ctx.person, cmd.status, ctx.now)


async def wave(ctx: Context, cmd: c.Wave) -> Result:
    return ctx.event.wave(ctx.person, cmd.to, ctx.now)


HANDLERS: Handlers = {
    c.Enter: enter,
    c.Say: say,
    c.Whisper: whisper,
    c.SetStatus: status,
    c.Wave: wave,
}
