"""Typed commands: a client request validated at the edge.

Each command is a frozen dataclass whose fields declare their own check
(`field(check)`); `Command.parse` builds it from an untrusted payload, rejecting
unknown keys by name, or raises `BadRequest` naming the field. `COMMANDS` maps
the contract's request names to them; the server looks requests up there and
nowhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from rooms import languages
from rooms import validate as v
from rooms.errors import BadRequest, Reason
from rooms.model import Status

MAX_CHAT = 1000
MAX_TITLE = 80
MAX_THEME = 200
MAX_REASON = 500
MAX_LABEL = 120
MAX_CAPACITY = 10_000
#: Longest mute a moderator can set, in minutes (30 days).
MAX_MUTE_MINUTES = 43_200

Check = Callable[[Mapping[str, Any], str], Any]


def field(check: Check, *, key: str | None = None) -> Any:
    """A command field validated by `check(payload, name)`; `key` names it in the
    payload when that is no Python name (`in`)."""
    return dataclasses.field(metadata={"check": check, "key": key})


# --- checks ----------------------------------------------------------------------

ident: Check = v.ident
number: Check = v.number


def text(max_len: int) -> Check:
    """Required text of 1..max_len characters after trimming."""
    return lambda data, name: v.required_text(data, name, max_len=max_len)


def optional_text(max_len: int, *, empty: str | None = None) -> Check:
    """Text that may be left out (then `empty`); may be empty when `empty` is given."""
    min_len = 0 if empty is not None else 1

    def check(data: Mapping[str, Any], name: str) -> str | None:
        value = v.text(data, name, max_len=max_len, min_len=min_len, required=False)
        return empty if value is None else value

    return check


def optional_ident(data: Mapping[str, Any], name: str) -> str | None:
    """An id that may be left out (None)."""
    return None if data.get(name) is None else v.ident(data, name)


def whole(low: int, high: int, *, required: bool = True) -> Check:
    return lambda data, name: v.integer(data, name, low=low, high=high, required=required)


def required_flag(data: Mapping[str, Any], name: str) -> bool:
    if name not in data:
        raise BadRequest(f"{name} is required", field=name, reason=Reason.REQUIRED)
    return v.flag(data, name)


def optional_flag(data: Mapping[str, Any], name: str) -> bool:
    return v.flag(data, name)


def known_status(data: Mapping[str, Any], name: str) -> Status:
    value = data.get(name)
    if not isinstance(value, str) or value not in {s.value for s in Status}:
        raise v.invalid(name, "status must be available, busy or away")
    return Status(value)


capacity = whole(1, MAX_CAPACITY, required=False)


def texts(max_len: int) -> Check:
    """(issue 12) An optional map of language -> text (None when absent)."""
    return lambda data, name: languages.optional_texts(data, name, max_len=max_len)


# --- the commands ------------------------------------------------------------------


class Command:
    """Base: `name` is the request's event name; the dataclass fields its payload."""

    name: ClassVar[str]

    @classmethod
    def parse(cls, payload: object) -> Self:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        checked = [(f, f.metadata["key"] or f.name) for f in fields if "check" in f.metadata]
        data = v.mapping(payload, frozenset(key for _f, key in checked))
        return cls(**{f.name: f.metadata["check"](data, key) for f, key in checked})


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


# --- voice and video (contract v1.2, Media) -----------------------------------------

#: Longest SDP accepted, in characters (Chromium's offers with simulcast are ~10 k).
MAX_SDP = 60_000
#: Longest ICE candidate line.
MAX_CANDIDATE = 1_000
PEER_CONNECTIONS = ("publisher", "subscriber")


def sdp(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", field=name, reason=Reason.NOT_TEXT)
    if len(value) > MAX_SDP:
        raise v.too_long(name, MAX_SDP)
    if not value.startswith("v=0") or "\nm=" not in value:
        raise v.invalid(name, f"{name} is not a session description")
    return value


def optional_bool(data: Mapping[str, Any], name: str) -> bool | None:
    if data.get(name) is None:
        return None
    return v.flag(data, name)


def peer_connection(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value not in PEER_CONNECTIONS:
        raise v.invalid(name, f"{name} must be publisher or subscriber")
    return str(value)


def candidate(data: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """An RTCIceCandidateInit, or null for the end of candidates."""
    if name not in data:
        raise BadRequest(f"{name} is required (null for no more)", field=name,
                         reason=Reason.REQUIRED)
    value = data[name]
    if value is None:
        return None
    found = v.mapping(value, frozenset({"candidate", "sdpMid", "sdpMLineIndex",
                                        "usernameFragment"}))
    line = v.text(found, "candidate", max_len=MAX_CANDIDATE, min_len=0)
    if line is None:
        raise v.invalid(name, "candidate.candidate is required")
    if line and not line.startswith(("candidate:", "a=candidate:")):
        raise v.invalid(name, "candidate.candidate is not an ICE candidate")
    out: dict[str, Any] = {"candidate": line}
    mid = found.get("sdpMid")
    if mid is not None:
        if not isinstance(mid, str) or len(mid) > 32:
            raise v.invalid(name, "candidate.sdpMid must be a short string")
        out["sdpMid"] = mid
    index = found.get("sdpMLineIndex")
    if index is not None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 256:
            raise v.invalid(name, "candidate.sdpMLineIndex must be a small integer")
        out["sdpMLineIndex"] = index
    if "sdpMid" not in out and "sdpMLineIndex" not in out:
        raise v.invalid(name, "candidate needs sdpMid or sdpMLineIndex")
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class Publish(Command):
    name = "media:publish"
    sdp: str = field(sdp)
    audio: bool = field(optional_flag)
    video: bool = field(optional_flag)
    screen: bool = field(optional_flag)

    def __post_init__(self) -> None:
        if not (self.audio or self.video or self.screen):
            raise BadRequest("publish at least one of audio, video and screen")


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateMedia(Command):
    name = "media:update"
    audio: bool | None = field(optional_bool)
    video: bool | None = field(optional_bool)
    screen: bool | None = field(optional_bool)


@dataclasses.dataclass(frozen=True, slots=True)
class Unpublish(Command):
    name = "media:unpublish"


@dataclasses.dataclass(frozen=True, slots=True)
class Subscribe(Command):
    name = "media:subscribe"


@dataclasses.dataclass(frozen=True, slots=True)
class Answer(Command):
    name = "media:answer"
    offer: str = field(ident)
    sdp: str = field(sdp)


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate(Command):
    name = "media:candidate"
    pc: str = field(peer_connection)
    candidate: dict[str, Any] | None = field(candidate)


@dataclasses.dataclass(frozen=True, slots=True)
class Unsubscribe(Command):
    name = "media:unsubscribe"


@dataclasses.dataclass(frozen=True, slots=True)
class StageInvite(Command):
    name = "stage:invite"
    person: str = field(ident)


@dataclasses.dataclass(frozen=True, slots=True)
class StageRemove(Command):
    name = "stage:remove"
    person: str = field(ident)


# --- raised hands on the stage (issue 12) ---------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RaiseHand(Command):
    name = "hand:raise"


@dataclasses.dataclass(frozen=True, slots=True)
class LowerHand(Command):
    name = "hand:lower"


@dataclasses.dataclass(frozen=True, slots=True)
class DismissHand(Command):
    name = "hand:dismiss"
    person: str = field(ident)
# --- networking rounds (contract v1.2) ------------------------------------------------


def room_list(data: Mapping[str, Any], name: str) -> tuple[str, ...] | None:
    """Optional list of room ids (at most 200)."""
    if data.get(name) is None:
        return None
    value = data[name]
    if not isinstance(value, list) or len(value) > 200:
        raise BadRequest(f"{name} must be a list of at most 200 room ids", field=name)
    return tuple(v.ident({name: item}, name) for item in value)


@dataclasses.dataclass(frozen=True, slots=True)
class StartRounds(Command):
    name = "rounds:start"
    rounds: int = field(whole(1, 20))
    minutes: int = field(whole(1, 60))
    group_size: int = field(whole(2, 8))
    rooms: tuple[str, ...] | None = field(room_list)


@dataclasses.dataclass(frozen=True, slots=True)
class PauseRounds(Command):
    name = "rounds:pause"


@dataclasses.dataclass(frozen=True, slots=True)
class ResumeRounds(Command):
    name = "rounds:resume"


@dataclasses.dataclass(frozen=True, slots=True)
class SkipRound(Command):
    name = "rounds:skip"


@dataclasses.dataclass(frozen=True, slots=True)
class StopRounds(Command):
    name = "rounds:stop"


@dataclasses.dataclass(frozen=True, slots=True)
class ExtendRound(Command):
    name = "rounds:extend"
    minutes: int = field(whole(1, 30))


@dataclasses.dataclass(frozen=True, slots=True)
class OptRounds(Command):
    name = "rounds:opt"
    opt_in: bool = field(required_flag, key="in")


COMMANDS: dict[str, type[Command]] = {
    cls.name: cls
    for cls in (
        Enter, Move, Say, Whisper, SetStatus, Wave, RequestCard, RespondCard, Flag,
        CreateRoom, UpdateRoom, OpenRoom, CloseRoom, Announce, SetTimer, ClearTimer, Recall,
        Mute, Unmute, ModMove, Kick, Unban, ResolveFlag,
        Publish, UpdateMedia, Unpublish, Subscribe, Answer, Candidate, Unsubscribe,
        StageInvite, StageRemove, RaiseHand, LowerHand, DismissHand,
        StageInvite, StageRemove,
        StartRounds, PauseRounds, ResumeRounds, SkipRound, StopRounds, ExtendRound, OptRounds,
    )
}
