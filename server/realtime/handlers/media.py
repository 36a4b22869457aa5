"""Handlers for voice and video (contract v1.2, Media): signalling relayed between the
page and the media engine, and the stage's speakers.

Each runs under its event's media lock (`Calls.lock`): the domain checks, the
engine acts, the domain records; `Calls` delivers what follows (streams,
offers). The ack carries only what the requester needs (the SDP answer).
"""

from __future__ import annotations

from rooms import commands as m
from rooms.media import Sending
from rooms.outbound import Result
from rooms.staff import Action
from server.media.calls import Calls
from server.realtime.handlers import Context, Handlers


async def logged(ctx: Context, action: str, person: str) -> None:
    """Every host action goes into the moderation log, the stage's too."""
    row = Action(ctx.now, ctx.person, action, person, {})
    await ctx.world.storage.staff.log(ctx.event.slug, row)


def handlers(calls: Calls) -> Handlers:
    """The media requests' table, bound to the app's `Calls`."""

    async def publish(ctx: Context, cmd: m.Publish) -> Result:
        async with calls.lock(ctx.event.slug):
            sdp = await calls.publish(ctx.event, ctx.person, cmd.sdp,
                                      Sending(cmd.audio, cmd.video, cmd.screen), ctx.now)
        return Result({"sdp": sdp})

    async def update(ctx: Context, cmd: m.UpdateMedia) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.update(ctx.event, ctx.person,
                               {"audio": cmd.audio, "video": cmd.video, "screen": cmd.screen},
                               ctx.now)
        return Result()

    async def unpublish(ctx: Context, cmd: m.Unpublish) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.unpublish(ctx.event, ctx.person)
        return Result()

    async def subscribe(ctx: Context, cmd: m.Subscribe) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.subscribe(ctx.event, ctx.person)
        return Result()

    async def unsubscribe(ctx: Context, cmd: m.Unsubscribe) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.unsubscribe(ctx.event, ctx.person)
        return Result()

    async def answer(ctx: Context, cmd: m.Answer) -> Result:
        await calls.answer(ctx.person, cmd.offer, cmd.sdp)
        return Result()

    async def candidate(ctx: Context, cmd: m.Candidate) -> Result:
        await calls.trickle(ctx.person, "publisher" if cmd.pc == "publisher" else "subscriber",
                            cmd.candidate)
        return Result()

    async def invite(ctx: Context, cmd: m.StageInvite) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.invite(ctx.event, ctx.person, cmd.person)
        await logged(ctx, "stage:invite", cmd.person)
        # an invitation answers a raised hand (issue 12)
        return Result(out=ctx.event.hands.invited(cmd.person))

    async def remove(ctx: Context, cmd: m.StageRemove) -> Result:
        async with calls.lock(ctx.event.slug):
            await calls.remove(ctx.event, ctx.person, cmd.person)
        await logged(ctx, "stage:remove", cmd.person)
        return Result()

    return {
        m.Publish: publish, m.UpdateMedia: update, m.Unpublish: unpublish,
        m.Subscribe: subscribe, m.Unsubscribe: unsubscribe, m.Answer: answer,
        m.Candidate: candidate, m.StageInvite: invite, m.StageRemove: remove,
    }
