"""Handlers for business cards: ask, answer, and the durable exchange.

Card operations of one event run one at a time (`World.card_lock`), so the
check made by `plan_…` still holds when the decision is applied after the
database write.
"""

from __future__ import annotations

from rooms import commands as c
from rooms.cards import Exchange
from rooms.outbound import Result
from server.realtime.handlers import Context, Handlers


async def _exchange(ctx: Context, ex: Exchange) -> Result:
    event = ctx.event
    await ctx.world.storage.cards.save_exchange(
        event.slug, ex, event.people[ex.requester], event.people[ex.accepter])
    return event.complete_exchange(ex)


async def request_card(ctx: Context, cmd: c.RequestCard) -> Result:
    async with ctx.world.card_lock(ctx.event.slug):
        plan = ctx.event.plan_card_request(ctx.person, cmd.to, ctx.now)
        if isinstance(plan, Exchange):
            return await _exchange(ctx, plan)
        if plan.id in ctx.event.card_requests:
            return Result({"request": plan.id})
        await ctx.world.storage.cards.save_request(ctx.event.slug, plan)
        return ctx.event.add_card_request(plan)


async def respond_card(ctx: Context, cmd: c.RespondCard) -> Result:
    async with ctx.world.card_lock(ctx.event.slug):
        plan = ctx.event.plan_card_response(ctx.person, cmd.request, cmd.accept, ctx.now)
        if isinstance(plan, Exchange):
            return await _exchange(ctx, plan)
        await ctx.world.storage.cards.delete_request(plan.id)
        return ctx.event.decline(plan)


HANDLERS: Handlers = {
    c.RequestCard: request_card,
    c.RespondCard: respond_card,
}
