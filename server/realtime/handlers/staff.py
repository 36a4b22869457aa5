"""Handlers for host and moderator actions, and attendees' flags (issue 4).

Each one calls the domain (which authorises the actor from the stored role),
makes durable what the contract promises (rooms, timer, mutes, bans, flags),
writes the moderation log row in the same transaction, and only then returns
the outbox for delivery.
"""

from __future__ import annotations

from rooms import commands as c
from rooms.staff import Action
from server.realtime.handlers import Context, Reply, route


async def _logged(ctx: Context, action: Action) -> Reply:
    await ctx.world.storage.staff.log(ctx.event.slug, action)
    return action.reply, action.out


async def _room_saved(ctx: Context, action: Action) -> Reply:
    assert action.target is not None
    room = ctx.event.rooms[action.target]
    await ctx.world.storage.save_room(
        room.id, ctx.event.slug, room.kind.value, room.title, room.theme, room.open,
        room.capacity, ctx.now,
    )
    return await _logged(ctx, action)


# --- hosts -------------------------------------------------------------------------


@route(c.CreateRoom)
async def create_room(ctx: Context, cmd: c.CreateRoom) -> Reply:
    action = ctx.event.create_room(ctx.person, cmd.title, cmd.theme, cmd.capacity, ctx.now)
    return await _room_saved(ctx, action)


@route(c.UpdateRoom)
async def update_room(ctx: Context, cmd: c.UpdateRoom) -> Reply:
    action = ctx.event.update_room(
        ctx.person, cmd.room, ctx.now, title=cmd.title, theme=cmd.theme,
        capacity=cmd.capacity, set_capacity=cmd.set_capacity,
    )
    return await _room_saved(ctx, action)


@route(c.OpenRoom)
async def open_room(ctx: Context, cmd: c.OpenRoom) -> Reply:
    return await _room_saved(ctx, ctx.event.open_room(ctx.person, cmd.room, ctx.now))


@route(c.CloseRoom)
async def close_room(ctx: Context, cmd: c.CloseRoom) -> Reply:
    return await _room_saved(ctx, ctx.event.close_room(ctx.person, cmd.room, ctx.now))


@route(c.Announce)
async def announce(ctx: Context, cmd: c.Announce) -> Reply:
    return await _logged(ctx, ctx.event.announce(ctx.person, cmd.text, ctx.now))


@route(c.SetTimer)
async def set_timer(ctx: Context, cmd: c.SetTimer) -> Reply:
    action = ctx.event.set_timer(ctx.person, cmd.seconds, cmd.label, ctx.now)
    await ctx.world.storage.staff.save_timer(ctx.event.slug, ctx.event.timer)
    return await _logged(ctx, action)


@route(c.ClearTimer)
async def clear_timer(ctx: Context, cmd: c.ClearTimer) -> Reply:
    action = ctx.event.clear_timer(ctx.person, ctx.now)
    await ctx.world.storage.staff.save_timer(ctx.event.slug, None)
    return await _logged(ctx, action)


@route(c.Recall)
async def recall(ctx: Context, cmd: c.Recall) -> Reply:
    return await _logged(ctx, ctx.event.recall(ctx.person, ctx.now))


# --- moderators --------------------------------------------------------------------


@route(c.Mute)
async def mute(ctx: Context, cmd: c.Mute) -> Reply:
    action = ctx.event.mute(ctx.person, cmd.person, cmd.minutes, ctx.now)
    await ctx.world.storage.staff.set_mute(cmd.person, True, action.reply["until"])
    return await _logged(ctx, action)


@route(c.Unmute)
async def unmute(ctx: Context, cmd: c.Unmute) -> Reply:
    action = ctx.event.unmute(ctx.person, cmd.person, ctx.now)
    await ctx.world.storage.staff.set_mute(cmd.person, False, None)
    return await _logged(ctx, action)


@route(c.ModMove)
async def moderator_move(ctx: Context, cmd: c.ModMove) -> Reply:
    return await _logged(ctx, ctx.event.moderator_move(ctx.person, cmd.person, cmd.room, ctx.now))


@route(c.Kick)
async def kick(ctx: Context, cmd: c.Kick) -> Reply:
    action = ctx.event.kick(ctx.person, cmd.person, cmd.reason, cmd.ban, ctx.now)
    if cmd.ban:
        # Committed before the session ends, so a reconnect is already refused.
        await ctx.world.storage.staff.ban(cmd.person)
    return await _logged(ctx, action)


# --- everyone ----------------------------------------------------------------------


@route(c.Flag)
async def flag(ctx: Context, cmd: c.Flag) -> Reply:
    record, out = ctx.event.flag(ctx.person, cmd.person, cmd.reason, ctx.now)
    await ctx.world.storage.staff.add_flag(ctx.event.slug, record)
    return {"flag": record["flag"]}, out


@route(c.Unban)
async def unban(ctx: Context, cmd: c.Unban) -> Reply:
    action = ctx.event.unban(ctx.person, cmd.person, ctx.now)
    await ctx.world.storage.staff.unban(cmd.person)
    return await _logged(ctx, action)
