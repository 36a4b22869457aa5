"""Networking rounds commands (contract v1.2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from rooms import validate as v
from rooms.commands.base import Command, field, required_flag, whole
from rooms.errors import BadRequest


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
