"""Handlers for host and moderator actions, and attendees' flags (issue 4).

Plan → commit → apply: the domain decides (an `Action`, memory untouched); the
handler commits what the contract makes durable (rooms, timer, mutes, bans)
with the moderation log row in one transaction; only then does `Action.apply()`
change memory and give the outbox. A failed write leaves memory as it was and
the actor gets an `internal` error ack. Staff actions of one event run one at
a time (`World.staff_lock`), so a plan's checks still hold when it is applied.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rooms import commands as c
from rooms.model import Timer
from rooms.outbound import Result
from rooms.staff import Action
from server.realtime.handlers import Context, Handlers
from server.store.storage import Storage

#: What an action makes durable besides its log row, written in the same transaction.
Write = Callable[[Storage, str, Action], Awaitable[None]]


async def commit(ctx: Context, plan: Callable[[], Action], write: Write | None = None) -> Result:
    storage = ctx.world.storage
    slug = ctx.event.slug
    async with ctx.world.staff_lock(slug):
        action = plan()
        async with storage.transaction():
            if write is not None:
                await write(storage, slug, action)
            await storage.staff.log(slug, action)
        return action.apply()


async def _save_room(storage: Storage, slug: str, action: Action) -> None:
    room = action.room
    assert room is not None
    await storage.save_room(room.id, slug, room.kind.value, room.title, room.theme,
                            room.open, room.capacity, action.at,
                            titles=room.titles, themes=room.themes)


async def _save_timer(storage: Storage, slug: str, action: Action) -> None:
    detail = action.detail
    timer = Timer(detail["label"], detail["ends_at"]) if "ends_at" in detail else None
    await storage.staff.save_timer(slug, timer)


async def _save_mute(storage: Storage, slug: str, action: Action) -> None:
    assert action.target is not None
    muted = action.action == c.Mute.name
    await storage.staff.set_mute(action.target, muted, action.detail.get("until"))


async def _save_ban(storage: Storage, slug: str, action: Action) -> None:
    assert action.target is not None
    if action.action == c.Unban.name:
        await storage.staff.unban(action.target)
    elif action.detail.get("ban"):
        # Committed before the session ends, so a reconnect is already refused.
        await storage.staff.ban(action.target)


# --- hosts -------------------------------------------------------------------------


async def create_room(ctx: Context, cmd: c.CreateRoom) -> Result:
    return await commit(ctx, lambda: ctx.event.create_room(
        ctx.person, cmd.title, cmd.theme, cmd.capacity, ctx.now,
        titles=cmd.titles, themes=cmd.themes), _save_room)


async def update_room(ctx: Context, cmd: c.UpdateRoom) -> Result:
    return await commit(ctx, lambda: ctx.event.update_room(
        ctx.person, cmd.room, ctx.now, title=cmd.title, theme=cmd.theme,
        capacity=cmd.capacity, set_capacity=cmd.set_capacity,
        titles=cmd.titles, themes=cmd.themes), _save_room)


async def open_room(ctx: Context, cmd: c.OpenRoom) -> Result:
    return await commit(ctx, lambda: ctx.event.open_room(ctx.person, cmd.room, ctx.now),
                         _save_room)


async def close_room(ctx: Context, cmd: c.CloseRoom) -> Result:
    return await commit(ctx, lambda: ctx.event.close_room(ctx.person, cmd.room, ctx.now),
                         _save_room)


async def announce(ctx: Context, cmd: c.Announce) -> Result:
    return await commit(ctx, lambda: ctx.event.announce(ctx.person, cmd.text, ctx.now))


async def set_timer(ctx: Context, cmd: c.SetTimer) -> Result:
    return await commit(ctx, lambda: ctx.event.set_timer(
        ctx.person, cmd.seconds, cmd.label, ctx.now), _save_timer)


async def clear_timer(ctx: Context, cmd: c.ClearTimer) -> Result:
    return await commit(ctx, lambda: ctx.event.clear_timer(ctx.person, ctx.now), _save_timer)


async def recall(ctx: Context, cmd: c.Recall) -> Result:
    return await commit(ctx, lambda: ctx.event.recall(ctx.person, ctx.now))


# --- moderators --------------------------------------------------------------------


async def mute(ctx: Context, cmd: c.Mute) -> Result:
    return await commit(ctx, lambda: ctx.event.mute(
        ctx.person, cmd.person, cmd.minutes, ctx.now), _save_mute)


async def unmute(ctx: Context, cmd: c.Unmute) -> Result:
    return await commit(ctx, lambda: ctx.event.unmute(ctx.person, cmd.person, ctx.now),
                         _save_mute)


async def moderator_move(ctx: Context, cmd: c.ModMove) -> Result:
    return await commit(ctx, lambda: ctx.event.moderator_move(
        ctx.person, cmd.person, cmd.room, ctx.now))


async def kick(ctx: Context, cmd: c.Kick) -> Result:
    return await commit(ctx, lambda: ctx.event.kick(
        ctx.person, cmd.person, cmd.reason, cmd.ban, ctx.now), _save_ban)


async def unban(ctx: Context, cmd: c.Unban) -> Result:
    return await commit(ctx, lambda: ctx.event.unban(ctx.person, cmd.person, ctx.now),
                         _save_ban)


async def resolve_flag(ctx: Context, cmd: c.ResolveFlag) -> Result:
    """The stored flag is read under the staff lock, so two moderators resolving it
    at once get one `ok` and one `conflict`."""
    storage = ctx.world.storage
    slug = ctx.event.slug
    async with ctx.world.staff_lock(slug):
        stored = await storage.staff.flag(slug, cmd.flag)
        action = ctx.event.resolve_flag(ctx.person, stored, ctx.now)
        async with storage.transaction():
            await storage.staff.resolve_flag(cmd.flag, action.at, action.actor)
            await storage.staff.log(slug, action)
        return action.apply()


# --- everyone ----------------------------------------------------------------------


async def flag(ctx: Context, cmd: c.Flag) -> Result:
    flagged = ctx.event.flag(ctx.person, cmd.person, cmd.reason, ctx.now)
    await ctx.world.storage.staff.add_flag(ctx.event.slug, flagged.flag)
    return flagged


HANDLERS: Handlers = {
    c.CreateRoom: create_room,
    c.UpdateRoom: update_room,
    c.OpenRoom: open_room,
    c.CloseRoom: close_room,
    c.Announce: announce,
    c.SetTimer: set_timer,
    c.ClearTimer: clear_timer,
    c.Recall: recall,
    c.Mute: mute,
    c.Unmute: unmute,
    c.ModMove: moderator_move,
    c.Kick: kick,
    c.Unban: unban,
    c.ResolveFlag: resolve_flag,
    c.Flag: flag,
}
