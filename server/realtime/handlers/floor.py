"""Handlers for the everyday floor: entering rooms, chat, whispers, status, waves."""

from __future__ import annotations

from rooms import commands as c
from server.realtime.handlers import Context, Reply, route


@route(c.Enter)
async def enter(ctx: Context, cmd: c.Enter) -> Reply:
    detail, out = ctx.event.enter(ctx.person, cmd.room, ctx.now)
    return {"room": detail}, out


@route(c.Say)
async def say(ctx: Context, cmd: c.Say) -> Reply:
    message, out = ctx.event.say(ctx.person, cmd.text, ctx.now, cmd.room)
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
