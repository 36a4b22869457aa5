"""A Janus of a pool: the engine over one Janus, plus relaying feeds between two.

Janus's videoroom (1.1) relays a publisher to another Janus with "remote
publishers": on the receiving Janus (the edge) `add_remote_publisher` makes a
publisher with no PeerConnection that listens for plain RTP on a port of its
`rtp_port_range` (and one for RTCP) and is announced in the room like any
other, so subscribers there receive it; on the sending Janus (the origin)
`publish_remotely` adds an RTP forwarder per stream of the real publisher
towards that port, each with SSRC 1000 + 10 * mindex (+1, +2 for simulcast
layers), which is how the edge tells the streams apart. So the edge's streams
must be listed in the origin's mindex order, with the codecs the origin
negotiated (taken from the origin's own announcement of the feed). The edge
latches onto the origin's RTCP (`rtcp_port`) and sends its keyframe
requests back that way. `publish_remotely` needs the room's `secret`, and the
videoroom's `admin_key` when the Janus has one and `lock_rtp_forward`.
The forwarded RTP is plain (unencrypted) UDP: keep it on a private network.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlparse

from rooms.errors import KohtaamoError, NotFound
from server.media.janus_engine import JanusEngine
from server.media.janus_link import JanusTarget


class RelayEngine(JanusEngine):
    """JanusEngine whose publishers can be relayed to another Janus and which can
    carry feeds relayed from one. `relay_host` is the address other Janus servers
    send RTP to (default: the host of its API URL)."""

    def __init__(self, target: JanusTarget, *, relay_host: str = "", **engine: Any) -> None:
        super().__init__(target, **engine)
        self.relay_host = relay_host or urlparse(target.url).hostname or "127.0.0.1"
        #: person -> event of the remote publisher carrying their relayed feed here
        self._remotes: dict[str, str] = {}

    def _feeds_here(self, person: str) -> bool:
        return person in self._pubs or person in self._remotes

    def _forget_all(self) -> None:
        super()._forget_all()
        self._remotes.clear()

    async def close_event(self, event: str) -> None:
        for person in [p for p, e in self._remotes.items() if e == event]:
            del self._remotes[person]  # destroying the room removes them
        await super().close_event(event)

    def feed_streams(self, person: str) -> list[dict[str, Any]] | None:
        """The streams of `person`'s live publisher here, as Janus announced them."""
        pub = self._pubs.get(person)
        room = self._rooms.get(pub.event) if pub is not None else None
        return room.streams.get(person) if room is not None else None

    def relayed(self, person: str) -> bool:
        return person in self._remotes

    # --- the edge ---

    async def add_remote(self, event: str, person: str,
                         streams: list[dict[str, Any]]) -> tuple[int, int]:
        """Carry `person`'s feed relayed from another Janus: a remote publisher in
        this Janus's room of `event`. Returns its (RTP port, RTCP port)."""
        room = await self._room(event)
        body: dict[str, Any] = {
            "request": "add_remote_publisher", "room": room.id, "secret": room.secret,
            "id": self._jid(person), "display": person, "streams": remote_streams(streams)}
        self._remotes[person] = event  # its announcement may come before the answer
        try:
            reply = await self._call(room.control, body)
        except BaseException:
            self._remotes.pop(person, None)
            raise
        return int(reply.data["port"]), int(reply.data["rtcp_port"])

    async def remove_remote(self, person: str) -> None:
        """Stop carrying `person`'s relayed feed (its subscribers get new offers)."""
        event = self._remotes.pop(person, None)
        room = self._rooms.get(event) if event is not None else None
        if room is None:
            return
        with contextlib.suppress(KohtaamoError):
            await self._call(room.control, {
                "request": "remove_remote_publisher", "room": room.id, "secret": room.secret,
                "id": self._jid(person)})

    # --- the origin ---

    async def publish_remotely(self, person: str, remote_id: str, host: str, ports: tuple[int, int]
                               ) -> None:
        """Forward `person`'s publisher to a remote publisher at `host` `ports`.
        Raises NotFound (not publishing here)."""
        pub = self._pubs.get(person)
        room = self._rooms.get(pub.event) if pub is not None else None
        if room is None:
            raise NotFound("not publishing here")
        body: dict[str, Any] = {
            "request": "publish_remotely", "room": room.id, "secret": room.secret,
            "publisher_id": self._jid(person), "remote_id": remote_id, "host": host,
            "port": ports[0], "rtcp_port": ports[1]}
        if self.target.admin_key:
            body["admin_key"] = self.target.admin_key
        await self._call(room.control, body)

    async def unpublish_remotely(self, person: str, remote_id: str) -> None:
        """Stop forwarding `person`'s publisher there (gone already is fine)."""
        pub = self._pubs.get(person)
        room = self._rooms.get(pub.event) if pub is not None else None
        if room is None:
            return
        body: dict[str, Any] = {
            "request": "unpublish_remotely", "room": room.id, "secret": room.secret,
            "publisher_id": self._jid(person), "remote_id": remote_id}
        if self.target.admin_key:
            body["admin_key"] = self.target.admin_key
        with contextlib.suppress(KohtaamoError):
            await self._call(room.control, body)


def remote_streams(announced: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The edge's `streams` for a feed the origin announced: one per origin mindex,
    in order (the relay's SSRCs name the mindex); gaps and streams without a codec
    become disabled placeholders."""
    by_index = {int(s["mindex"]): s for s in announced if "mindex" in s}
    out: list[dict[str, Any]] = []
    for index in range(max(by_index, default=-1) + 1):
        s = by_index.get(index, {})
        if s.get("type") not in ("audio", "video") or not s.get("codec") or s.get("disabled"):
            out.append({"type": "audio", "mindex": index, "mid": str(index), "codec": "opus",
                        "disabled": True})
            continue
        stream: dict[str, Any] = {"type": s["type"], "mindex": index, "mid": str(s["mid"]),
                                  "codec": s["codec"]}
        for key in ("description",):
            if isinstance(s.get(key), str):
                stream[key] = s[key]
        for key in ("stereo", "fec", "dtx", "simulcast"):
            if s.get(key) is True:
                stream[key] = True
        out.append(stream)
    return out
