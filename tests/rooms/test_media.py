"""The media rules of the domain: who may publish where, who hears whom, and what a
move, a close, a kick or the stage does to calls (no engine, no loop)."""

from __future__ import annotations

import pytest

from rooms.commands import Candidate, Publish, UpdateMedia
from rooms.errors import BadRequest, Conflict, Forbidden, Muted, NotFound, Unavailable
from rooms.media import Feeds, Media, Sending
from rooms.model import Role
from tests.rooms.helpers import T0, arrive, make_event, messages

AUDIO = Sending(audio=True, video=False, screen=False)
BOTH = Sending(audio=True, video=True, screen=False)
SDP = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


def setup(max_video: int = 9):  # type: ignore[no-untyped-def]
    event = make_event(capacity=None)
    media = Media(event.floor, enabled=True, max_video=max_video)
    return event, media


def seat(event, pid: str, room: str = "t1", role: Role = Role.ATTENDEE):  # type: ignore[no-untyped-def]
    arrive(event, pid, role)
    event.enter(pid, room, T0)


def test_disabled_media_is_unavailable() -> None:
    """With media off every request fails `unavailable`."""
    event = make_event()
    media = Media(event.floor, enabled=False)
    seat(event, "a")
    with pytest.raises(Unavailable):
        media.plan_publish("a", AUDIO, T0)
    with pytest.raises(Unavailable):
        media.plan_subscribe("a")


def test_anyone_at_a_table_publishes_and_the_table_hears_of_it() -> None:
    """A publisher at a table is announced to that table with what it sends."""
    event, media = setup()
    seat(event, "a")
    room = media.plan_publish("a", AUDIO, T0)
    plan = media.published("a", room, AUDIO)
    [streams] = messages(plan.out, "media:streams")
    assert streams.to.room == "t1"  # type: ignore[union-attr]
    assert streams.data["publishers"] == [{"person": "a", "audio": True, "video": False,
                                           "screen": False}]
    with pytest.raises(Conflict):
        media.plan_publish("a", AUDIO, T0)


def test_the_stage_takes_hosts_and_invited_speakers_only() -> None:
    """In the lobby an attendee is refused until a host invites them; removal ends
    their stage publisher."""
    event, media = setup()
    arrive(event, "host", Role.HOST)
    arrive(event, "a")
    media.published("host", media.plan_publish("host", AUDIO, T0), AUDIO)
    with pytest.raises(Forbidden):
        media.plan_publish("a", AUDIO, T0)
    with pytest.raises(Forbidden):
        media.invite("a", "a")
    assert messages(media.invite("host", "a").out, "stage")[0].data == {"speakers": ["a"]}
    media.published("a", media.plan_publish("a", AUDIO, T0), AUDIO)
    plan = media.remove("host", "a")
    assert [e.reason for e in plan.ends] == ["stage_removed"]
    assert messages(plan.out, "media:ended")[0].data == {"pc": "publisher",
                                                        "reason": "stage_removed"}
    with pytest.raises(NotFound):
        media.remove("host", "a")


def test_muted_people_cannot_start_audio() -> None:
    """A muted person may publish video but not audio, nor turn audio on later."""
    event, media = setup()
    seat(event, "a")
    event.people["a"].muted = True
    with pytest.raises(Muted):
        media.plan_publish("a", AUDIO, T0)
    video = Sending(audio=False, video=True, screen=False)
    media.published("a", media.plan_publish("a", video, T0), video)
    with pytest.raises(Muted):
        media.plan_update("a", BOTH, T0)


def test_subscribers_hear_their_own_room_only() -> None:
    """A subscriber's feeds are the publishers of its room, never another's, never itself."""
    event, media = setup()
    for pid in ("a", "b"):
        seat(event, pid, "t1")
    seat(event, "c", "t2")
    for pid in ("a", "b", "c"):
        media.published(pid, media.plan_publish(pid, BOTH, T0), BOTH)
    feeds = media.plan_subscribe("a")
    assert feeds == Feeds("a", ("b",), ("b",))


def test_a_new_publisher_refeeds_the_room() -> None:
    """Subscribers at the table get new feeds when someone starts publishing there."""
    event, media = setup()
    seat(event, "a")
    seat(event, "b")
    seat(event, "c", "t2")
    media.subscribed(media.plan_subscribe("a"))
    media.subscribed(media.plan_subscribe("c"))
    plan = media.published("b", media.plan_publish("b", AUDIO, T0), AUDIO)
    assert plan.feeds == [Feeds("a", ("b",), ())]


def test_moving_ends_the_publisher_and_refeeds_both_rooms() -> None:
    """Entering another table ends one's publisher (`moved`) and re-feeds the old
    table, the new one and the mover."""
    event, media = setup()
    seat(event, "a")
    seat(event, "b")
    seat(event, "c", "t2")
    for pid in ("a", "b", "c"):
        media.published(pid, media.plan_publish(pid, AUDIO, T0), AUDIO)
        media.subscribed(media.plan_subscribe(pid))
    plan = media.follow(event.enter("a", "t2", T0).out)
    assert [(e.person, e.pc, e.reason) for e in plan.ends] == [("a", "publisher", "moved")]
    assert {f.person: f.audio for f in plan.feeds} == {"a": ("c",), "b": ()}


def test_closing_a_table_and_kicking_end_media_with_their_reason() -> None:
    """A close ends publishers with `room_closed`; a kick ends both connections."""
    event, media = setup()
    arrive(event, "host", Role.HOST)
    arrive(event, "mod", Role.MODERATOR)
    seat(event, "a")
    seat(event, "b")
    for pid in ("a", "b"):
        media.published(pid, media.plan_publish(pid, AUDIO, T0), AUDIO)
        media.subscribed(media.plan_subscribe(pid))
    plan = media.follow(event.close_room("host", "t1", T0).apply().out)
    assert {(e.person, e.reason) for e in plan.ends} == {("a", "room_closed"),
                                                        ("b", "room_closed")}
    plan = media.follow(event.kick("mod", "a", "spam", False, T0 + 1).apply().out)
    assert [(e.person, e.pc, e.reason) for e in plan.ends] == [("a", "subscriber", "kicked")]
    assert "a" not in media.subscribers


def test_video_goes_to_the_nearest_and_screens_first() -> None:
    """With more camera publishers than `max_video`, the nearest are chosen; a shared
    screen always is."""
    event, media = setup(max_video=2)
    seat(event, "me")
    for pid in ("near", "mid", "far", "screen"):
        seat(event, pid)
    room = event.rooms["t1"]
    room.occupants.update({"me": (0, 0), "near": (10, 0), "mid": (100, 0), "far": (500, 0),
                           "screen": (900, 0)})
    for pid in ("near", "mid", "far"):
        media.published(pid, "t1", BOTH)
    media.published("screen", "t1", Sending(audio=False, video=False, screen=True))
    feeds = media.plan_subscribe("me")
    assert feeds.video == ("near", "screen")
    assert feeds.audio == ("far", "mid", "near", "screen")  # steady: every publisher


@pytest.mark.parametrize("steady", [True, False])
def test_a_mute_toggle_renegotiates_no_listener_with_steady_audio(steady: bool) -> None:
    """With steady_audio, turning one's audio off and on again changes no listener's
    feeds (no new offers); without it, every listener of the table is re-fed twice."""
    event = make_event(capacity=None)
    media = Media(event.floor, enabled=True, steady_audio=steady)
    for pid in ("a", "b", "c"):
        seat(event, pid)
    media.published("a", media.plan_publish("a", AUDIO, T0), AUDIO)
    for pid in ("b", "c"):
        media.subscribed(media.plan_subscribe(pid))
    off = Sending(audio=False, video=False, screen=False)
    media.plan_update("a", off, T0)
    muted = media.updated("a", off)
    unmuted = media.updated("a", AUDIO)
    assert [m.name for m in muted.out] == ["media:streams"]
    refed = [len(muted.feeds), len(unmuted.feeds)]
    assert refed == ([0, 0] if steady else [2, 2])


def test_media_commands_refuse_malformed_input() -> None:
    """SDP must look like one, a publish must send something, candidates are checked."""
    with pytest.raises(BadRequest):
        Publish.parse({"sdp": "hello", "audio": True})
    with pytest.raises(BadRequest):
        Publish.parse({"sdp": SDP})
    with pytest.raises(BadRequest):
        Publish.parse({"sdp": SDP * 2000, "audio": True})
    assert Publish.parse({"sdp": SDP, "audio": True}).audio
    with pytest.raises(BadRequest):
        UpdateMedia.parse({"audio": "yes"})
    with pytest.raises(BadRequest):
        Candidate.parse({"pc": "other", "candidate": None})
    with pytest.raises(BadRequest):
        Candidate.parse({"pc": "publisher"})
    with pytest.raises(BadRequest):
        Candidate.parse({"pc": "publisher", "candidate": {"candidate": "x", "sdpMid": "0"}})
    with pytest.raises(BadRequest):
        Candidate.parse({"pc": "publisher", "candidate": {"candidate": "candidate:1"}})
    ok = Candidate.parse({"pc": "subscriber", "candidate": {
        "candidate": "candidate:1 1 udp 1 192.0.2.2 5000 typ host", "sdpMid": "0",
        "sdpMLineIndex": 0}})
    assert ok.candidate is not None and ok.candidate["sdpMid"] == "0"


def test_erasure_ends_calls_and_takes_the_person_off_the_stage() -> None:
    """An erased person's publisher and subscriber end and they leave the speakers."""
    event, media = setup()
    arrive(event, "host", Role.HOST)
    arrive(event, "a")
    media.invite("host", "a")
    media.published("a", media.plan_publish("a", AUDIO, T0), AUDIO)
    media.subscribed(media.plan_subscribe("a"))
    plan = media.follow(event.erase("a", T0 + 1))
    assert {(e.pc, e.reason) for e in plan.ends} == {("publisher", "kicked"),
                                                    ("subscriber", "kicked")}
    assert media.speakers == set() and messages(plan.out, "stage")[-1].data == {"speakers": []}
