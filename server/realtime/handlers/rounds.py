"""Handlers for networking rounds (contract v1.2): a host's series, and opting in or out.

Host operations go plan → commit (the moderation log row) → apply like every
host action (`staff.commit`); the meetings a round makes are written right
after (`World.save_met`). The seed of a series is drawn here, so the domain
stays deterministic.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from rooms import commands as c
from rooms.outbound import Result
from rooms.staff import Action
from server.realtime.handlers import Context, Handlers
from server.realtime.handlers.staff import commit


async def _run(ctx: Context, plan: Callable[[], Action]) -> Result:
    result = await commit(ctx, plan)
    await ctx.world.save_met(ctx.event)
    return result


async def start(ctx: Context, cmd: c.StartRounds) -> Result:
    seed = secrets.randbelow(2**31)
    return await _run(ctx, lambda: ctx.event.rounds.start(
        ctx.person, cmd.rounds, cmd.minutes, cmd.group_size, cmd.rooms, seed, ctx.now))


async def pause(ctx: Context, cmd: c.PauseRounds) -> Result:
    return await _run(ctx, lambda: ctx.event.rounds.pause(ctx.person, ctx.now))


async def resume(ctx: Context, cmd: c.ResumeRounds) -> Result:
    return await _run(ctx, lambda: ctx.event.rounds.resume(ctx.person, ctx.now))


async def skip(ctx: Context, cmd: c.SkipRound) -> Result:
    return await _run(ctx, lambda: ctx.event.rounds.skip(ctx.person, ctx.now))


async def extend(ctx: Context, cmd: c.ExtendRound) -> Result:
    return await _run(ctx, lambda: ctx.event.rounds.extend(ctx.person, cmd.minutes, ctx.now))


async def stop(ctx: Context, cmd: c.StopRounds) -> Result:
    return await _run(ctx, lambda: ctx.event.rounds.stop(ctx.person, ctx.now))


async def opt(ctx: Context, cmd: c.OptRounds) -> Result:
    return ctx.event.rounds.opt(ctx.person, cmd.opt_in)


HANDLERS: Handlers = {
    c.StartRounds: start,
    c.PauseRounds: pause,
    c.ResumeRounds: resume,
    c.SkipRound: skip,
    c.ExtendRound: extend,
    c.StopRounds: stop,
    c.OptRounds: opt,
}
