"""Light headless WebRTC peers (aiortc) for the media tests: a publisher sending a
tone (and small video frames), a subscriber counting the frames it decodes per mid."""

from __future__ import annotations

import array
import asyncio
import contextlib
import fractions
import math
import time
from collections.abc import Callable
from typing import Any

from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, VideoFrame

from server.media.port import Offer

RATE = 48000
#: aiortc's default is a public STUN server; tests stay on this machine's addresses.
NO_ICE_SERVERS = RTCConfiguration(iceServers=[])
PTIME = 0.02


class Tone(MediaStreamTrack):
    """A 440 Hz sine, 20 ms frames in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._sent = 0
        self._start = time.time()

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        samples = int(RATE * PTIME)
        await asyncio.sleep(max(0.0, self._start + self._sent / RATE - time.time()))
        pcm = array.array("h", (
            int(8000 * math.sin(2 * math.pi * 440 * (i + self._sent) / RATE))
            for i in range(samples)))
        frame = AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(pcm.tobytes())
        frame.sample_rate = RATE
        frame.pts = self._sent
        frame.time_base = fractions.Fraction(1, RATE)
        self._sent += samples
        return frame


class Picture(MediaStreamTrack):
    """Small grey video frames at 15 fps: cheap to encode and decode."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._n = 0
        self._start = time.time()

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        await asyncio.sleep(max(0.0, self._start + self._n / 15 - time.time()))
        frame = VideoFrame(width=160, height=120, format="yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(self._n * 3) % 255]) * plane.buffer_size)
        frame.pts = self._n * 6000
        frame.time_base = fractions.Fraction(1, 90000)
        self._n += 1
        return frame


async def publisher_offer(video: bool = True) -> tuple[RTCPeerConnection, str]:
    pc = RTCPeerConnection(NO_ICE_SERVERS)
    pc.addTransceiver(Tone(), direction="sendonly")
    if video:
        pc.addTransceiver(Picture(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, pc.localDescription.sdp


async def accept_answer(pc: RTCPeerConnection, sdp: str) -> None:
    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))


class Receiver:
    """A subscriber peer: answers offers, counts decoded frames per subscriber mid."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(NO_ICE_SERVERS)
        self.frames: dict[str, int] = {}
        self.streams: dict[str, Any] = {}
        self._readers: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Condition()
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        mid = next((t.mid for t in self.pc.getTransceivers() if t.receiver.track is track), None)
        task = asyncio.create_task(self._read(str(mid), track))
        self._readers.add(task)
        task.add_done_callback(self._readers.discard)

    async def _read(self, mid: str, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                await track.recv()
                async with self._changed:
                    self.frames[mid] = self.frames.get(mid, 0) + 1
                    self._changed.notify_all()

    async def answer(self, offer: Offer) -> str:
        for stream in offer.streams:
            self.streams[stream.mid] = stream
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer.sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self._follow_new_ssrcs()
        return str(self.pc.localDescription.sdp)

    def _follow_new_ssrcs(self) -> None:
        # aiortc routes a started receiver's packets by the SSRCs of the first offer
        # only; Janus gives a re-activated m-line a new SSRC (browsers follow it), so
        # register the receivers again with what this offer says.
        for transceiver in self.pc.getTransceivers():
            receiver = transceiver.receiver
            if transceiver.currentDirection != "recvonly" or not getattr(
                    receiver, "_RTCRtpReceiver__started", False):
                continue
            parameters = self.pc._RTCPeerConnection__remoteRtp(transceiver)  # type: ignore[attr-defined]
            receiver.transport._register_rtp_receiver(receiver, parameters)

    def count(self, person: str, kind: str) -> int:
        """Frames decoded so far from `person`'s `kind`, over every mid that carried it."""
        return sum(n for mid, n in self.frames.items()
                   if mid in self.streams and self.streams[mid].person == person
                   and self.streams[mid].kind == kind)

    async def wait(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until `condition()` holds (checked on every decoded frame)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(condition)

    async def grows(self, person: str, kind: str, by: int, timeout: float = 10.0) -> None:
        start = self.count(person, kind)
        await self.wait(lambda: self.count(person, kind) >= start + by, timeout)

    async def close(self) -> None:
        await self.pc.close()
        for task in list(self._readers):
            task.cancel()
