"""Voice and video commands (contract v1.2, Media) and raised hands on the stage."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from rooms import validate as v
from rooms.commands.base import Command, field, ident, optional_flag
from rooms.errors import BadRequest, Reason

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
