"""Delivery: the domain's outbox turned into Socket.IO emits, in order.

Channels are Socket.IO rooms named by what they reach: `p:<person>` (one
person's live connection), `r:<room>` (everyone seated at a table; with
`room_changes`, also `rc:<room>` for those whose client asked for `room:changes`
and `rl:<room>` for the others),
`e:<event>` (everyone in an event), `s:<event>` (staff online) and `h:<event>`
(hosts online).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from rooms.outbound import (
    EndSession,
    Message,
    Outbox,
    Relocate,
    ToEvent,
    ToHosts,
    ToPerson,
    ToRoom,
)
from server.realtime.guard import end_connection
from server.realtime.sessions import Sessions

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)


def person_channel(person_id: str) -> str:
    return f"p:{person_id}"


def room_channel(room_id: str) -> str:
    return f"r:{room_id}"


def members_channel(room_id: str, compact: bool) -> str:
    """The members of a table whose client takes `room:changes` (or the others)."""
    return f"rc:{room_id}" if compact else f"rl:{room_id}"


def event_channel(slug: str) -> str:
    return f"e:{slug}"


def staff_channel(slug: str) -> str:
    return f"s:{slug}"


def host_channel(slug: str) -> str:
    return f"h:{slug}"


#: Messages whose outbox observers hear of (besides moves and ended sessions).
_NOTABLE = frozenset({"muted", "unmuted"})


#: Items of one outbox delivered between turns of the event loop, at most (about).
TURN_EVERY = 256


def _same(item: object, first: Message) -> bool:
    return (isinstance(item, Message) and isinstance(item.to, ToPerson)
            and item.data is first.data and item.name == first.name)


class Delivery:
    def __init__(
        self, sio: socketio.AsyncServer, sessions: Sessions, room_changes: bool = False,
    ) -> None:
        self.sio = sio
        self.sessions = sessions
        #: connections also join `rc:` or `rl:` of their table (Settings.room_changes)
        self.room_changes = room_changes
        #: Called with each outbox that moved someone, ended a session or changed a
        #: mute, after it was delivered (media follows the floor this way).
        self.observers: list[Callable[[Outbox], None]] = []
        #: Called with each such outbox too; what they return is delivered right
        #: after it (raised hands go down when their people leave the stage).
        self.followers: list[Callable[[Outbox], Outbox]] = []

    async def __call__(self, outbox: Outbox) -> None:
        notable = False
        i = turned = 0
        while i < len(outbox):
            item = outbox[i]
            i += 1
            if isinstance(item, Message) and isinstance(item.to, ToPerson):
                # a run of the same message (one data object) to one person each,
                # as a recall's `moved`: encoded and framed once, one emit
                people = [item.to.person]
                while i < len(outbox) and _same(outbox[i], item):
                    people.append(outbox[i].to.person)  # type: ignore[union-attr]
                    i += 1
                channels = [person_channel(p) for p in people]
                if len(channels) > 1:
                    # what came before (a recall's seats, tables' room:left) went out in
                    # this pass; the loop turns before the run's frames are written
                    await asyncio.sleep(0)
                await self.sio.emit(item.name, item.data,
                                    to=channels if len(channels) > 1 else channels[0])
                notable = notable or item.name in _NOTABLE
            elif isinstance(item, Message):
                await self._emit(item)
                notable = notable or item.name in _NOTABLE
            elif isinstance(item, Relocate):
                if item.entered is None and i >= turned + TURN_EVERY:
                    # a long outbox (a recall) lets the loop turn now and then, where
                    # someone leaves a room: whoever came before is wholly moved
                    turned = i
                    await asyncio.sleep(0)
                await self._relocate(item)
                notable = True
            elif isinstance(item, EndSession):
                await self._end(item)
                notable = True
        if notable:
            for observe in self.observers:
                observe(outbox)
            for follow in self.followers:
                more = follow(outbox)
                if more:
                    await self(more)

    async def _emit(self, message: Message) -> None:
        to = message.to
        skip: str | None = None
        if isinstance(to, ToPerson):
            channel = person_channel(to.person)
        elif isinstance(to, ToRoom):
            channel = (room_channel(to.room) if to.compact is None
                       else members_channel(to.room, to.compact))
            skip = self.sessions.sid_of(to.exclude) if to.exclude else None
        elif isinstance(to, ToEvent):
            channel = event_channel(to.event)
            skip = self.sessions.sid_of(to.exclude) if to.exclude else None
        elif isinstance(to, ToHosts):
            channel = host_channel(to.event)
        else:
            channel = staff_channel(to.event)
        await self.sio.emit(message.name, message.data, to=channel, skip_sid=skip)

    async def _relocate(self, item: Relocate) -> None:
        sid = self.sessions.sid_of(item.person)
        if sid is None:
            return
        compact = self.sessions.is_compact(sid)
        if item.left is not None:
            await self.sio.leave_room(sid, room_channel(item.left))
            if self.room_changes:
                await self.sio.leave_room(sid, members_channel(item.left, compact))
        if item.entered is not None:
            await self.sio.enter_room(sid, room_channel(item.entered))
            if self.room_changes:
                await self.sio.enter_room(sid, members_channel(item.entered, compact))

    async def _end(self, item: EndSession) -> None:
        """Kicked, banned, erased: the person's one live connection is ended, the
        connection under it closed too (server.realtime.guard.end_connection)."""
        sid = self.sessions.drop_person(item.person)
        if sid is not None:
            log.info("ending session of %s: %s", item.person, item.reason)
            await end_connection(self.sio, sid)
