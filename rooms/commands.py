"""Typed commands: a client request validated at the edge.

Each command is a frozen dataclass whose `parse` builds it from an untrusted
payload or raises `BadRequest` naming the field. `COMMANDS` maps the contract's
request names to them; the server looks requests up there and nowhere else.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, Self

from rooms import validate as v
from rooms.errors import BadRequest
from rooms.model import Status

MAX_CHAT = 1000
MAX_TITLE = 80
MAX_THEME = 200
MAX_REASON = 500
MAX_LABEL = 120
MAX_CAPACITY = 10_000
#: Longest mute a moderator can set, in minutes (30 days).
MAX_MUTE_MINUTES = 43_200


class Command:
    """Base: `name` is the request's event name; `fields` its allowed keys."""

    name: ClassVar[str]
    fields: ClassVar[frozenset[str]]

    @classmethod
    def parse(cls, payload: object) -> Self:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True, slots=True)
class Enter(Command):
    name = "enter"
    fields = frozenset({"room"})
    room: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.ident(v.mapping(payload, cls.fields), "room"))


@dataclasses.dataclass(frozen=True, slots=True)
class Move(Command):
    name = "move"
    fields = frozenset({"x", "y"})
    x: float
    y: float

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        return cls(v.number(data, "x"), v.number(data, "y"))


@dataclasses.dataclass(frozen=True, slots=True)
class Say(Command):
    name = "say"
    fields = frozenset({"text"})
    text: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.required_text(v.mapping(payload, cls.fields), "text", max_len=MAX_CHAT))


@dataclasses.dataclass(frozen=True, slots=True)
class Whisper(Command):
    name = "whisper"
    fields = frozenset({"to", "text"})
    to: str
    text: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        return cls(v.ident(data, "to"), v.required_text(data, "text", max_len=MAX_CHAT))


@dataclasses.dataclass(frozen=True, slots=True)
class SetStatus(Command):
    name = "status"
    fields = frozenset({"status"})
    status: Status

    @classmethod
    def parse(cls, payload: object) -> Self:
        value = v.mapping(payload, cls.fields).get("status")
        if value not in {s.value for s in Status}:
            raise BadRequest("status must be available, busy or away", field="status")
        return cls(Status(value))


@dataclasses.dataclass(frozen=True, slots=True)
class Wave(Command):
    name = "wave"
    fields = frozenset({"to"})
    to: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.ident(v.mapping(payload, cls.fields), "to"))


@dataclasses.dataclass(frozen=True, slots=True)
class RequestCard(Command):
    name = "card:request"
    fields = frozenset({"to"})
    to: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.ident(v.mapping(payload, cls.fields), "to"))


@dataclasses.dataclass(frozen=True, slots=True)
class RespondCard(Command):
    name = "card:respond"
    fields = frozenset({"request", "accept"})
    request: str
    accept: bool

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        if "accept" not in data:
            raise BadRequest("accept is required", field="accept")
        return cls(v.ident(data, "request"), v.flag(data, "accept"))


@dataclasses.dataclass(frozen=True, slots=True)
class Flag(Command):
    name = "flag"
    fields = frozenset({"person", "reason"})
    person: str
    reason: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        return cls(v.ident(data, "person"), v.required_text(data, "reason", max_len=MAX_REASON))


# --- hosts -------------------------------------------------------------------

_UNSET: Any = object()


def _capacity(data: Any) -> int | None:
    return v.integer(data, "capacity", low=1, high=MAX_CAPACITY, required=False)


@dataclasses.dataclass(frozen=True, slots=True)
class CreateRoom(Command):
    name = "room:create"
    fields = frozenset({"title", "theme", "capacity"})
    title: str
    theme: str
    capacity: int | None

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        theme = v.text(data, "theme", max_len=MAX_THEME, min_len=0, required=False) or ""
        return cls(v.required_text(data, "title", max_len=MAX_TITLE), theme, _capacity(data))


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateRoom(Command):
    """Fields left out stay as they are; `capacity: null` removes the limit."""

    name = "room:update"
    fields = frozenset({"room", "title", "theme", "capacity"})
    room: str
    title: str | None
    theme: str | None
    capacity: int | None
    set_capacity: bool

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        title = v.text(data, "title", max_len=MAX_TITLE, required=False)
        theme = v.text(data, "theme", max_len=MAX_THEME, min_len=0, required=False)
        if title is None and theme is None and "capacity" not in data:
            raise BadRequest("nothing to update")
        return cls(v.ident(data, "room"), title, theme, _capacity(data), "capacity" in data)


@dataclasses.dataclass(frozen=True, slots=True)
class OpenRoom(Command):
    name = "room:open"
    fields = frozenset({"room"})
    room: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.ident(v.mapping(payload, cls.fields), "room"))


@dataclasses.dataclass(frozen=True, slots=True)
class CloseRoom(OpenRoom):
    name = "room:close"


@dataclasses.dataclass(frozen=True, slots=True)
class Announce(Command):
    name = "announce"
    fields = frozenset({"text"})
    text: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.required_text(v.mapping(payload, cls.fields), "text", max_len=MAX_CHAT))


@dataclasses.dataclass(frozen=True, slots=True)
class SetTimer(Command):
    name = "timer:set"
    fields = frozenset({"seconds", "label"})
    seconds: int
    label: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        seconds = v.integer(data, "seconds", low=1, high=86_400)
        assert seconds is not None
        label = v.text(data, "label", max_len=MAX_LABEL, min_len=0, required=False) or ""
        return cls(seconds, label)


@dataclasses.dataclass(frozen=True, slots=True)
class ClearTimer(Command):
    name = "timer:clear"
    fields = frozenset()

    @classmethod
    def parse(cls, payload: object) -> Self:
        v.mapping(payload, cls.fields)
        return cls()


@dataclasses.dataclass(frozen=True, slots=True)
class Recall(ClearTimer):
    name = "recall"


# --- moderators --------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Mute(Command):
    name = "mod:mute"
    fields = frozenset({"person", "minutes"})
    person: str
    minutes: int | None

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        minutes = v.integer(data, "minutes", low=1, high=MAX_MUTE_MINUTES, required=False)
        return cls(v.ident(data, "person"), minutes)


@dataclasses.dataclass(frozen=True, slots=True)
class Unmute(Command):
    name = "mod:unmute"
    fields = frozenset({"person"})
    person: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        return cls(v.ident(v.mapping(payload, cls.fields), "person"))


@dataclasses.dataclass(frozen=True, slots=True)
class ModMove(Command):
    name = "mod:move"
    fields = frozenset({"person", "room"})
    person: str
    room: str

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        return cls(v.ident(data, "person"), v.ident(data, "room"))


@dataclasses.dataclass(frozen=True, slots=True)
class Kick(Command):
    name = "mod:kick"
    fields = frozenset({"person", "reason", "ban"})
    person: str
    reason: str
    ban: bool

    @classmethod
    def parse(cls, payload: object) -> Self:
        data = v.mapping(payload, cls.fields)
        reason = v.required_text(data, "reason", max_len=MAX_REASON)
        return cls(v.ident(data, "person"), reason, v.flag(data, "ban"))


COMMANDS: dict[str, type[Command]] = {
    cls.name: cls
    for cls in (
        Enter, Move, Say, Whisper, SetStatus, Wave, RequestCard, RespondCard, Flag,
        CreateRoom, UpdateRoom, OpenRoom, CloseRoom, Announce, SetTimer, ClearTimer, Recall,
        Mute, Unmute, ModMove, Kick,
    )
}
