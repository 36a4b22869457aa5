"""Light headless WebRTC peers for the media profile (aiortc, audio only).

Cheap by design, so one generator core carries a fair's worth of them:

- `Mouth` publishes a 400 Hz tone as Opus packets encoded once at start-up
  (32 kbit/s mono, about what a browser sends for a voice) and replayed, so
  publishing costs no encoding;
- `Ears` subscribes and never decodes: it takes each decrypted RTP packet
  before aiortc's jitter buffer and decoder, notes when each SSRC was first
  heard since the last `mark()` and how many bytes and packets arrived, and
  drops it.

Both are built with no ICE servers: aiortc's default is a public STUN server,
and a benchmark's traffic stays on this machine. `check_local` refuses an SDP
whose candidates name an address this machine does not have.
"""

from __future__ import annotations

import asyncio
import fractions
import ipaddress
import math
import re
import time
from collections import Counter
from typing import Any, ClassVar

import ifaddr
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame, CodecContext, Packet

RATE = 48000
SAMPLES = 960  # 20 ms
TIME_BASE = fractions.Fraction(1, RATE)
_CANDIDATE = re.compile(r"^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+", re.MULTILINE)


def peer_connection() -> RTCPeerConnection:
    """An RTCPeerConnection with no STUN/TURN: host candidates only."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


def local_addresses() -> set[str]:
    """Every address of this machine's interfaces (IPv4 and IPv6)."""
    out = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            out.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return out


def check_local(sdp: str, mine: set[str]) -> None:
    """Raise ValueError when `sdp` offers a candidate on an address not of this machine."""
    for address in _CANDIDATE.findall(sdp):
        try:
            ip = ipaddress.ip_address(address.split("%")[0])
        except ValueError:
            raise ValueError(f"candidate with a name, not an address: {address}") from None
        if not ip.is_loopback and str(ip) not in mine:
            raise ValueError(f"candidate {address} is not an address of this machine")


def _tone_packets(seconds: float = 1.0) -> list[bytes]:
    """Opus packets of a 400 Hz tone: 20 ms each, encoded once."""
    codec = CodecContext.create("libopus", "w")
    codec.bit_rate = 32000
    codec.format = "s16"
    codec.layout = "mono"
    codec.sample_rate = RATE
    codec.time_base = TIME_BASE
    period = RATE // 400  # 120 samples: a 20 ms frame holds eight whole periods
    one = b"".join(int(8000 * math.sin(2 * math.pi * i / period)).to_bytes(2, "little",
                                                                         signed=True)
                   for i in range(period)) * (SAMPLES // period)
    out: list[bytes] = []
    for n in range(int(seconds * RATE / SAMPLES) + 4):
        frame = AudioFrame(format="s16", layout="mono", samples=SAMPLES)
        frame.planes[0].update(one)
        frame.sample_rate = RATE
        frame.pts = n * SAMPLES
        frame.time_base = TIME_BASE
        out += [bytes(p) for p in codec.encode(frame)]
    return out[-int(seconds * RATE / SAMPLES):]


class Tone(MediaStreamTrack):
    """Pre-encoded Opus packets in real time (aiortc sends a Packet without encoding)."""

    kind = "audio"
    _packets: ClassVar[list[bytes]] = []

    def __init__(self) -> None:
        super().__init__()
        if not Tone._packets:
            Tone._packets = _tone_packets()
        self._n = 0
        self._start = time.monotonic()

    async def recv(self) -> Packet:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        await asyncio.sleep(max(0.0, self._start + self._n * SAMPLES / RATE - time.monotonic()))
        packet = Packet(self._packets[self._n % len(self._packets)])
        packet.pts = self._n * SAMPLES
        packet.time_base = TIME_BASE
        self._n += 1
        return packet


class Mouth:
    """A publisher peer sending the tone."""

    def __init__(self) -> None:
        self.pc = peer_connection()
        self.pc.addTransceiver(Tone(), direction="sendonly")

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return str(self.pc.localDescription.sdp)

    async def accept(self, sdp: str, mine: set[str]) -> None:
        check_local(sdp, mine)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def close(self) -> None:
        await self.pc.close()


def ssrcs_by_mid(sdp: str) -> dict[str, set[int]]:
    """The SSRCs each m-section (by its a=mid) announces."""
    out: dict[str, set[int]] = {}
    for section in sdp.split("\r\nm=")[1:]:
        mid = re.search(r"^a=mid:(\S+)", section, re.MULTILINE)
        if mid:
            out[mid.group(1)] = {int(s) for s in re.findall(r"^a=ssrc:(\d+) ", section,
                                                           re.MULTILINE)}
    return out


class Ears:
    """A subscriber peer that notes packets and drops them undecoded."""

    def __init__(self) -> None:
        self.pc = peer_connection()
        #: SSRC -> the person whose stream it carries (from every offer answered)
        self.person_of: dict[int, str] = {}
        #: SSRC -> when it was first heard since the last mark (perf_counter)
        self.first: dict[int, float] = {}
        self.bytes: Counter[int] = Counter()
        self.packets: Counter[int] = Counter()
        self._hooked: set[int] = set()
        self._lock = asyncio.Lock()

    def mark(self) -> None:
        """Forget what was first heard: the next packet of each SSRC is a first again."""
        self.first.clear()

    def heard(self, people: set[str]) -> float | None:
        """When the first packet of any of `people` arrived since the mark, or None."""
        times = [t for ssrc, t in self.first.items() if self.person_of.get(ssrc) in people]
        return min(times) if times else None

    async def answer(self, sdp: str, streams: list[dict[str, Any]], mine: set[str]) -> str:
        check_local(sdp, mine)
        person_by_mid = {str(s["mid"]): str(s["person"]) for s in streams}
        for mid, ssrcs in ssrcs_by_mid(sdp).items():
            for ssrc in ssrcs:
                if mid in person_by_mid:
                    self.person_of[ssrc] = person_by_mid[mid]
        async with self._lock:
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            for transceiver in self.pc.getTransceivers():
                self._hook(transceiver.receiver.transport)
            return str(self.pc.localDescription.sdp)

    def _hook(self, dtls: Any) -> None:
        # RTCDtlsTransport calls self._handle_rtp_data(data, arrival_time_ms) with each
        # decrypted RTP packet; an instance attribute takes the place of the method.
        if dtls is None or id(dtls) in self._hooked:
            return
        self._hooked.add(id(dtls))
        first, counted, packets = self.first, self.bytes, self.packets

        async def on_rtp(data: bytes, arrival_time_ms: int) -> None:
            if len(data) < 12:
                return
            ssrc = int.from_bytes(data[8:12], "big")
            if ssrc not in first:
                first[ssrc] = time.perf_counter()
            counted[ssrc] += len(data)
            packets[ssrc] += 1

        dtls._handle_rtp_data = on_rtp

    def transport_bytes(self) -> tuple[int, int]:
        """(datagram bytes, datagrams) received on this connection: SRTP, SRTCP, DTLS."""
        for transceiver in self.pc.getTransceivers():
            dtls = transceiver.receiver.transport
            if dtls is not None:
                return (getattr(dtls, "_RTCDtlsTransport__rx_bytes", 0),
                        getattr(dtls, "_RTCDtlsTransport__rx_packets", 0))
        return (0, 0)

    async def close(self) -> None:
        await self.pc.close()
