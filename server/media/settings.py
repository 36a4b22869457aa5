"""`[media]` of config.toml: which Janus, which ports and addresses, which ICE servers.

Read into a frozen `MediaConfig` (server/config.py calls `MediaConfig.from_table`);
`build_engine` turns it into a MediaPort, or None when media is off or no Janus
can be had, so the server runs without media. `ice_servers` gives what a page
puts in its RTCPeerConnection, with TURN passwords minted per person.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.media.auth import turn_credentials
from server.media.janus_engine import JanusEngine
from server.media.janus_link import ExternalJanus
from server.media.janus_relay import RelayEngine
from server.media.managed import ManagedJanus, ManagedSettings, janus_available
from server.media.pool import PoolEngine
from server.media.port import MediaPort

log = logging.getLogger(__name__)

ICE_SCHEMES = ("stun:", "turn:", "turns:")


@dataclasses.dataclass(frozen=True)
class MediaConfig:
    #: Media on; it is still off when `janus = "managed"` and no janus is installed.
    enabled: bool = True
    #: "managed" (Kohtaamo starts its own Janus) or ws:// URLs of external Janus servers
    #: (more than one: a pool; see docs/media.md).
    janus: str | tuple[str, ...] = "managed"
    #: For external servers: their `api_secret`, `token_auth_secret`, videoroom `admin_key`.
    janus_api_secret: str = ""
    janus_token_secret: str = ""
    janus_admin_key: str = ""
    #: UDP ports a managed Janus uses for media, inclusive (open them in the firewall).
    rtp_ports: tuple[int, int] = (20000, 20199)
    #: The public address of a managed Janus behind a 1:1 NAT (its nat_1_1_mapping).
    public_ip: str = ""
    #: Only these interfaces (names or address prefixes) for a managed Janus's ICE.
    ice_interfaces: tuple[str, ...] = ()
    #: STUN/TURN servers for the pages: each {urls = [...]} (RTCIceServer).
    ice_servers: tuple[tuple[str, ...], ...] = ()
    #: coturn's `static-auth-secret`: TURN servers get time-limited credentials.
    turn_secret: str = ""
    turn_ttl: int = 6 * 3600
    #: Most publishers in one event's call.
    max_publishers: int = 1000
    #: Most video tiles a page shows at once (welcome.event.media.max_video).
    max_video: int = 9
    #: Distances in the table's space (room units): a voice is at full volume
    #: within `hearing_full` and silent beyond `hearing_silent`, linear between.
    hearing_full: int = 150
    hearing_silent: int = 450

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> MediaConfig:
        """Build from `[media]`. Raises ValueError on unknown keys or bad values."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(table) - names
        if unknown:
            raise ValueError(f"unknown [media] settings: {', '.join(sorted(unknown))}")
        values = dict(table)
        janus = values.get("janus", "managed")
        if isinstance(janus, list):
            janus = tuple(str(u) for u in janus)
            if not janus or not all(u.startswith(("ws://", "wss://")) for u in janus):
                raise ValueError('[media] janus must be "managed" or a list of ws:// URLs')
            if not values.get("janus_api_secret") or not values.get("janus_token_secret"):
                raise ValueError("[media] external janus needs janus_api_secret "
                                 "and janus_token_secret")
        elif janus != "managed":
            raise ValueError('[media] janus must be "managed" or a list of ws:// URLs')
        values["janus"] = janus
        low, high = (int(p) for p in values.get("rtp_ports", (20000, 20199)))
        if not 1024 <= low <= high <= 65535:
            raise ValueError("[media] rtp_ports must be [low, high] within 1024-65535")
        values["rtp_ports"] = (low, high)
        values["ice_interfaces"] = tuple(str(i) for i in values.get("ice_interfaces", ()))
        servers = []
        for server in values.get("ice_servers", ()):
            urls = server.get("urls") if isinstance(server, dict) else None
            urls = [urls] if isinstance(urls, str) else urls
            if not urls or not all(isinstance(u, str) and u.startswith(ICE_SCHEMES) for u in urls):
                raise ValueError("[media] ice_servers entries are {urls = [\"stun:…\"|\"turn:…\"]}")
            servers.append(tuple(urls))
        values["ice_servers"] = tuple(servers)
        for name in ("enabled",):
            if name in values and not isinstance(values[name], bool):
                raise ValueError(f"[media] {name} must be true or false")
        for name in ("turn_ttl", "max_publishers", "max_video", "hearing_full",
                     "hearing_silent"):
            if name in values and (isinstance(values[name], bool)
                                   or not isinstance(values[name], int) or values[name] < 1):
                raise ValueError(f"[media] {name} must be a positive whole number")
        for name in ("janus_api_secret", "janus_token_secret", "janus_admin_key", "public_ip",
                     "turn_secret"):
            if name in values and not isinstance(values[name], str):
                raise ValueError(f"[media] {name} must be a string")
        config = cls(**values)
        if config.hearing_full >= config.hearing_silent:
            raise ValueError("[media] hearing_full must be less than hearing_silent")
        return config

    def ice_servers_for(self, person: str, now: float) -> list[dict[str, Any]]:
        """RTCIceServer dicts for `person`'s page; TURN entries carry fresh credentials."""
        out: list[dict[str, Any]] = []
        for urls in self.ice_servers:
            server: dict[str, Any] = {"urls": list(urls)}
            if self.turn_secret and any(u.startswith(("turn:", "turns:")) for u in urls):
                server["username"], server["credential"] = turn_credentials(
                    self.turn_secret, person, now, self.turn_ttl)
            out.append(server)
        return out


def build_engine(config: MediaConfig, folder: Path) -> MediaPort | None:
    """The engine `config` asks for (not started), or None when media is off.

    A managed Janus keeps its generated config and log in `folder`. One external
    server is an engine over it; several are a pool (pool.py), all with the same
    secrets, each relaying RTP to the others at the host of its URL."""
    if not config.enabled:
        return None
    if config.janus == "managed":
        if not janus_available():
            log.warning("media off: janus is not installed (Debian: apt install janus)")
            return None
        managed = ManagedJanus(folder, ManagedSettings(
            rtp_ports=config.rtp_ports, public_ip=config.public_ip,
            ice_interfaces=config.ice_interfaces))
        return JanusEngine(managed, managed=managed, max_publishers=config.max_publishers)
    targets = [ExternalJanus(url, config.janus_api_secret, config.janus_token_secret,
                             config.janus_admin_key) for url in config.janus]
    if len(targets) == 1:
        return JanusEngine(targets[0], max_publishers=config.max_publishers)
    return PoolEngine([RelayEngine(t, max_publishers=config.max_publishers) for t in targets])
