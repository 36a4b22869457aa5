"""Typed commands: a client request validated at the edge.

Each command is a frozen dataclass whose fields declare their own check
(`field(check)`); `Command.parse` builds it from an untrusted payload, rejecting
unknown keys by name, or raises `BadRequest` naming the field. `COMMANDS` maps
the contract's request names to them; the server looks requests up there and
nowhere else.

The checks and the `Command` base live in `base`; voice, video and raised hands in
`media`; networking rounds in `rounds`. Everything is re-exported here, so callers
import from `rooms.commands` only.
"""

from __future__ import annotations

import dataclasses
from typing import Self

from rooms import validate as v
from rooms.commands.base import (
    MAX_CAPACITY,
    MAX_CHAT,
    MAX_LABEL,
    MAX_MUTE_MINUTES,
    MAX_REASON,
    MAX_THEME,
    MAX_TITLE,
    Check,
    Command,
    capacity,
    field,
    ident,
    known_status,
    number,
    optional_flag,
    optional_ident,
    optional_text,
    required_flag,
    text,
    texts,
    whole,
)
from rooms.commands.media import (
    MAX_CANDIDATE,
    MAX_SDP,
    PEER_CONNECTIONS,
    Answer,
    Candidate,
    DismissHand,
    LowerHand,
    Publish,
    RaiseHand,
    StageInvite,
    StageRemove,
    Subscribe,
    Unpublish,
    Unsubscribe,
    UpdateMedia,
    candidate,
    optional_bool,
    peer_connection,
    sdp,
)
from rooms.commands.rounds import (
    ExtendRound,
    OptRounds,
    PauseRounds,
    ResumeRounds,
    SkipRound,
    StartRounds,
    StopRounds,
    room_list,
)
from rooms.errors import BadRequest
from rooms.model import Status

__all__ = [
    "COMMANDS",
    "MAX_CANDIDATE",
    "MAX_CAPACITY",
    "MAX_CHAT",
    "MAX_LABEL",
    "MAX_MUTE_MINUTES",
    "MAX_REASON",
    "MAX_SDP",
    "MAX_THEME",
    "MAX_TITLE",
    "PEER_CONNECTIONS",
    "Announce",
    "Answer",
    "Candidate",
    "Check",
    "ClearTimer",
    "CloseRoom",
    "Command",
    "CreateRoom",
    "DismissHand",
    "Enter",
    "ExtendRound",
    "Flag",
    "Kick",
    "LowerHand",
    "ModMove",
    "Move",
    "Mute",
    "OpenRoom",
    "OptRounds",
    "PauseRounds",
    "Publish",
    "RaiseHand",
    "Recall",
    "RequestCard",
    "ResolveFlag",
    "RespondCard",
    "ResumeRounds",
    "Say",
    "SetStatus",
    "SetTimer",
    "SkipRound",
    "StageInvite",
    "StageRemove",
    "StartRounds",
    "StopRounds",
    "Subscribe",
    "Unban",
    "Unmute",
    "Unpublish",
    "Unsubscribe",
    "UpdateMedia",
    "UpdateRoom",
    "Wave",
    "Whisper",
    "candidate",
    "capacity",
    "field",
    "ident",
    "known_status",
    "number",
    "optional_bool",
    "optional_flag",
    "optional_ident",
    "optional_text",
    "peer_connection",
    "required_flag",
    "room_list",
    "sdp",
    "text",
    "texts",
    "whole",
]


@dataclasses.dataclass(frozen=True, slots=True)
class Enter(Command):
    name = "enter"
    room: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class Move(Command):
    name = "move"
    x: float = field(number)
    y: float = field(number)


@dataclasses.dataclass(frozen=True, slots=True)
class Say(Command):
    name = "say"
    text: str = field(text(MAX_CHAT))
    #: (v1.1) The room the text was typed for; refused (`moved`) when elsewhere now.
    room: str | None = field(optional_ident)


@dataclasses.dataclass(frozen=True, slots=True)
class Whisper(Command):
    name = "whisper"
    to: str = field(ident)
    text: str = field(text(MAX_CHAT))


@dataclasses.dataclass(frozen=True, slots=True)
class SetStatus(Command):
    name = "status"
    status: Status = field(known_status)


@dataclasses.dataclass(frozen=True, slots=True)
class Wave(Command):
    name = "wave"
    to: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class RequestCard(Command):
    name = "card:request"
    to: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class RespondCard(Command):
    name = "card:respond"
    request: str = field(ident)
    accept: bool = field(required_flag)


@dataclasses.dataclass(frozen=True, slots=True)
class Flag(Command):
    name = "flag"
    person: str = field(ident)
    reason: str = field(text(MAX_REASON))


# --- hosts -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class CreateRoom(Command):
    name = "room:create"
    #: Required unless `titles` holds at least one title.
    title: str | None = field(optional_text(MAX_TITLE))
    theme: str = field(optional_text(MAX_THEME, empty=""))
    capacity: int | None = field(capacity)
    titles: dict[str, str] | None = field(texts(MAX_TITLE))
    themes: dict[str, str] | None = field(texts(MAX_THEME))

    @classmethod
    def parse(cls, payload: object) -> Self:
        command = super(CreateRoom, cls).parse(payload)
        if command.title is None and not command.titles:
            raise BadRequest("title is required", field="title")
        return command


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateRoom(Command):
    """Fields left out stay as they are; `capacity: null` removes the limit."""

    name = "room:update"
    room: str = field(ident)
    title: str | None = field(optional_text(MAX_TITLE))
    theme: str | None = field(optional_text(MAX_THEME))
    capacity: int | None = field(capacity)
    #: (issue 12) Every title / theme by language; replaces `title` / `theme`.
    titles: dict[str, str] | None = field(texts(MAX_TITLE))
    themes: dict[str, str] | None = field(texts(MAX_THEME))
    #: Whether `capacity` was in the payload at all (null there means "no limit").
    set_capacity: bool = False

    @classmethod
    def parse(cls, payload: object) -> Self:
        command = super(UpdateRoom, cls).parse(payload)
        given = "capacity" in v.mapping(payload)
        if (command.title is None and command.theme is None and command.titles is None
                and command.themes is None and not given):
            raise BadRequest("nothing to update")
        if command.titles is not None and not command.titles:
            raise BadRequest("titles must hold at least one title", field="titles")
        return dataclasses.replace(command, set_capacity=given)


@dataclasses.dataclass(frozen=True, slots=True)
class OpenRoom(Command):
    name = "room:open"
    room: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class CloseRoom(OpenRoom):
    name = "room:close"


@dataclasses.dataclass(frozen=True, slots=True)
class Announce(Command):
    name = "announce"
    text: str = field(text(MAX_CHAT))


@dataclasses.dataclass(frozen=True, slots=True)
class SetTimer(Command):
    name = "timer:set"
    seconds: int = field(whole(1, 86_400))
    label: str = field(optional_text(MAX_LABEL, empty=""))


@dataclasses.dataclass(frozen=True, slots=True)
class ClearTimer(Command):
    name = "timer:clear"


@dataclasses.dataclass(frozen=True, slots=True)
class Recall(Command):
    name = "recall"


# --- moderators --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Mute(Command):
    name = "mod:mute"
    person: str = field(ident)
    minutes: int | None = field(whole(1, MAX_MUTE_MINUTES, required=False))


@dataclasses.dataclass(frozen=True, slots=True)
class Unmute(Command):
    name = "mod:unmute"
    person: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class ModMove(Command):
    name = "mod:move"
    person: str = field(ident)
    room: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class Unban(Command):
    """Lift a ban (an extension of the contract): the person's link works again."""

    name = "mod:unban"
    person: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class ResolveFlag(Command):
    """Mark an attendee's report handled (issue 12, an extension)."""

    name = "flag:resolve"
    flag: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class Kick(Command):
    name = "mod:kick"
    person: str = field(ident)
    reason: str = field(text(MAX_REASON))
    ban: bool = field(optional_flag)


COMMANDS: dict[str, type[Command]] = {
    cls.name: cls
    for cls in (
        Enter, Move, Say, Whisper, SetStatus, Wave, RequestCard, RespondCard, Flag,
        CreateRoom, UpdateRoom, OpenRoom, CloseRoom, Announce, SetTimer, ClearTimer, Recall,
        Mute, Unmute, ModMove, Kick, Unban, ResolveFlag,
        Publish, UpdateMedia, Unpublish, Subscribe, Answer, Candidate, Unsubscribe,
        StageInvite, StageRemove, RaiseHand, LowerHand, DismissHand,
        StartRounds, PauseRounds, ResumeRounds, SkipRound, StopRounds, ExtendRound, OptRounds,
    )
}
