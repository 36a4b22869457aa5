"""Just enough SDP reading to check what a browser sends and label its m-lines."""

from __future__ import annotations

from typing import Any

from rooms.errors import BadRequest
from server.media.port import Kind

#: Larger than any real offer with three m-lines and simulcast.
MAX_SDP = 32 * 1024


def sections(sdp: str) -> list[tuple[str, str]]:
    """(media type, mid) of each m-line, in order; BadRequest when not an SDP."""
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP:
        raise BadRequest("not an SDP description", field="sdp")
    found: list[tuple[str, str]] = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            found.append((line[2:].split(" ", 1)[0], ""))
        elif line.startswith("a=mid:") and found and not found[-1][1]:
            found[-1] = (found[-1][0], line[6:].strip())
    if not found or any(not mid for _, mid in found):
        raise BadRequest("the SDP has no m-lines or one without a mid", field="sdp")
    return found


def publisher_kinds(sdp: str) -> dict[str, Kind]:
    """mid → kind for a publisher's offer: first audio m-line the microphone, first
    video m-line the camera, second the screen; data channels are ignored."""
    kinds: dict[str, Kind] = {}
    videos = 0
    for media, mid in sections(sdp):
        if media == "audio":
            if "audio" in kinds.values():
                raise BadRequest("more than one audio m-line", field="sdp")
            kinds[mid] = "audio"
        elif media == "video":
            if videos == 2:
                raise BadRequest("more than two video m-lines", field="sdp")
            kinds[mid] = "video" if videos == 0 else "screen"
            videos += 1
    if not kinds:
        raise BadRequest("the offer sends neither audio nor video", field="sdp")
    return kinds


def check_candidate(candidate: Any) -> dict[str, Any] | None:
    """A browser's RTCIceCandidateInit, reduced to what Janus takes; None stays None."""
    if candidate is None:
        return None
    if not isinstance(candidate, dict) or not isinstance(candidate.get("candidate"), str):
        raise BadRequest("a candidate is {candidate, sdpMid, sdpMLineIndex}", field="candidate")
    text = candidate["candidate"]
    mid, index = candidate.get("sdpMid"), candidate.get("sdpMLineIndex")
    if len(text) > 512 or (text and not text.startswith(("candidate:", "a=candidate:"))):
        raise BadRequest("not an ICE candidate", field="candidate")
    if mid is None and index is None:
        raise BadRequest("a candidate needs sdpMid or sdpMLineIndex", field="candidate")
    if (mid is not None and not isinstance(mid, str)) or (
        index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0)
    ):
        raise BadRequest("bad sdpMid or sdpMLineIndex", field="candidate")
    if not text:
        return None  # an empty candidate is the browser's end-of-candidates
    out: dict[str, Any] = {"candidate": text}
    if mid is not None:
        out["sdpMid"] = mid
    if index is not None:
        out["sdpMLineIndex"] = index
    return out
