"""Handlers for raised hands on the stage (issue 12), and the follower that lowers
the hands of people who leave it (`rooms.hands.Hands.follow`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rooms import commands as c
from rooms.event import Event
from rooms.outbound import Outbox, Result
from server.realtime.handlers import Context, Handlers
from server.world import World


async def raise_hand(ctx: Context, cmd: c.RaiseHand) -> Result:
    return ctx.event.hands.raise_hand(ctx.person, ctx.now)


async def lower_hand(ctx: Context, cmd: c.LowerHand) -> Result:
    return ctx.event.hands.lower_hand(ctx.person, ctx.now)


async def dismiss(ctx: Context, cmd: c.DismissHand) -> Result:
    """A host action: logged before it happens, as the others (handlers.staff)."""
    async with ctx.world.staff_lock(ctx.event.slug):
        action = ctx.event.hands.dismiss(ctx.person, cmd.person, ctx.now)
        await ctx.world.storage.staff.log(ctx.event.slug, action)
        return action.apply()


HANDLERS: Handlers = {
    c.RaiseHand: raise_hand,
    c.LowerHand: lower_hand,
    c.DismissHand: dismiss,
}


def welcome(event: Event, person: str) -> dict[str, Any]:
    """What `welcome.event` gains: one's own `hand`, and the `hands` for hosts."""
    return event.hands.welcome(person)


def follower(world: World) -> Callable[[Outbox], Outbox]:
    """For `Delivery.followers`: hands go down when their people leave the stage."""

    def follow(out: Outbox) -> Outbox:
        more: Outbox = []
        for event in world.events.values():
            if event.hands.raised:
                more += event.hands.follow(out)
        return more

    return follow
