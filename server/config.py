"""Configuration: `config.toml` read into frozen dataclasses, command-line options on top."""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from pathlib import Path
from typing import Any

from rooms import languages
from rooms.cards import CardLimits
from rooms.commands import MAX_THEME, MAX_TITLE
from rooms.errors import BadRequest
from rooms.languages import DEFAULT_LANGUAGE
from rooms.ratelimit import DEFAULT_RATES, Rate
from server.media.settings import MediaConfig
from server.net import Network, parse_networks
from server.realtime.tuning import Tuning

#: Joins per client address: generous, but a loop of joins is stopped.
DEFAULT_JOIN_RATE = Rate(burst=300, per_second=50)

#: The demo fair that ships with Kohtaamo, used when no --config is given.
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


@dataclasses.dataclass(frozen=True)
class RoomConfig:
    #: In the event's language; `titles`/`themes` hold every language given (issue 12).
    title: str
    theme: str = ""
    capacity: int | None = None
    titles: dict[str, str] = dataclasses.field(default_factory=dict)
    themes: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class EventConfig:
    slug: str
    title: str
    description: str = ""
    code: str = ""
    #: How many people may be connected at once; None for no limit.
    capacity: int | None = None
    rooms: tuple[RoomConfig, ...] = ()
    #: When the event ends (epoch ms); None: at its last activity (server/retention.py).
    ends_at: int | None = None
    #: Days after the end when its people, cards and logs are erased; None: `[retention] days`.
    retention_days: float | None = None
    #: The event's default language (fi, sv or en): plain titles and themes are in it.
    language: str = DEFAULT_LANGUAGE


@dataclasses.dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    database: Path = Path("data/kohtaamo.db")
    #: The address people use to reach the server, for printed links.
    public_url: str = ""
    tick_hz: float = 10
    presence_hz: float = 2
    grace_seconds: float = 30
    #: SIGTERM/SIGINT to exit, at most: connections closed, seats written (v1.1).
    shutdown_seconds: float = 5
    #: Engine.IO heartbeat, whole seconds: the server pings every `ping_interval`;
    #: a side that hears nothing for `ping_interval + ping_timeout` drops the link,
    #: so a page notices a dead connection within about ten seconds.
    ping_interval: int = 5
    ping_timeout: int = 5
    room_size: tuple[int, int] = (1000, 1000)
    #: Largest Socket.IO message and HTTP body accepted, in bytes.
    max_payload: int = 64 * 1024
    #: Who may read /metrics besides loopback: addresses or CIDRs of clients.
    metrics_allow: tuple[Network, ...] = ()
    #: A bearer token that also opens /metrics (empty: none; address rules only).
    metrics_token: str = ""
    #: Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDRs).
    trusted_proxies: tuple[Network, ...] = ()
    #: Seconds a connection may take to complete its Socket.IO CONNECT.
    connect_timeout: float = 10
    #: Socket.IO connections open at once from one client address (loopback too).
    max_connections_per_address: int = 50
    #: Bytes waiting to be sent to one connection past which it is closed (a slow reader).
    max_queued_bytes: int = 1024 * 1024
    #: Most people one event holds (joined and not purged or erased).
    max_people_per_event: int = 20_000
    #: Attendees who joined but never connected are forgotten after this many seconds.
    purge_unconnected_seconds: float = 3600
    rates: dict[str, Rate] = dataclasses.field(default_factory=lambda: dict(DEFAULT_RATES))
    #: `[limits] join`: joins per client address (HTTP), not per person.
    join_rate: Rate = DEFAULT_JOIN_RATE
    #: Benchmark only: broadcast each move at once instead of once per tick.
    naive_moves: bool = False
    #: `[tuning]`: performance settings of the Socket.IO stack (server/realtime/tuning.py).
    tuning: Tuning = dataclasses.field(default_factory=Tuning)
    #: `[cards]`: caps on pending card requests, and how many the welcome carries.
    cards: CardLimits = dataclasses.field(default_factory=CardLimits)
    #: `[media]`: the media engine (server/media/settings.py); optional.
    media: MediaConfig = dataclasses.field(default_factory=MediaConfig)
    events: tuple[EventConfig, ...] = ()
    #: `[retention] days`: erase an event's people, cards and logs this many days after
    #: its end (events may set their own `retention_days`); None keeps them.
    retention_days: float | None = None
    #: `[rounds] met_after_seconds`: sitting this long within conversation distance
    #: (`[media] hearing_full`) at one table counts as having met (issue 13).
    met_after_seconds: float = 120

    def retention_of(self, slug: str) -> tuple[int | None, float | None]:
        """(ends_at, retention days) for an event; an event not in the file gets the default."""
        for event in self.events:
            if event.slug == slug:
                days = self.retention_days if event.retention_days is None \
                    else event.retention_days
                return event.ends_at, days
        return None, self.retention_days

    def link(self, host: str, port: int) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{shown}:{port}"


class ConfigError(Exception):
    pass


def _positive(table: dict[str, Any], name: str, default: float,
              high: float = float("inf"), whole: bool = False) -> float:
    """`[server] name`: a number above 0 and at most `high` (a whole one if `whole`)."""
    value = table.get(name, default)
    kind = "a whole number" if whole else "a number"
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or (whole and not isinstance(value, int)) or not 0 < value <= high):
        limit = "" if high == float("inf") else f" and at most {high:g}"
        raise ValueError(f"[server] {name} must be {kind} above 0{limit}")
    return float(value)


def _token(value: object) -> str:
    if not isinstance(value, str) or (value and len(value) < 16):
        raise ValueError("metrics_token must be a string of at least 16 characters")
    return value


def _days(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where} must be a number of days, 0 or more")
    return float(value)


def _instant(value: Any, where: str) -> int | None:
    """An ISO 8601 date-time (a TOML date-time or a string) as epoch ms; no offset is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{where} is not an ISO 8601 date-time: {value!r}") from None
    if not isinstance(value, datetime.datetime):
        raise ConfigError(f"{where} must be a date-time such as 2025-05-20T18:00:00+03:00")
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return int(value.timestamp() * 1000)


def _texts(value: Any, max_len: int, where: str, required: bool) -> dict[str, str]:
    """A title or theme: a plain string (the event's language) or a table of
    `{fi = "…", sv = "…", en = "…"}`."""
    try:
        if isinstance(value, dict):
            texts = languages.texts(value, where, max_len=max_len)
        elif isinstance(value, str):
            if len(value.strip()) > max_len:
                raise BadRequest(f"{where} is longer than {max_len} characters")
            texts = {"": value.strip()} if value.strip() else {}
        else:
            raise BadRequest(f"{where} must be a string or a table of fi, sv, en")
    except BadRequest as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if required and not texts:
        raise ConfigError(f"{where} must not be empty")
    return texts


def _room(raw: dict[str, Any], language: str, where: str) -> RoomConfig:
    """One `[[events.rooms]]` table."""
    titles = _texts(raw["title"], MAX_TITLE, f"{where} title", required=True)
    themes = _texts(raw.get("theme", ""), MAX_THEME, f"{where} theme", required=False)
    capacity = raw.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or capacity < 1):
        raise ConfigError(f"{where} capacity must be a whole number of at least 1")
    # A plain string is in the event's language.
    titles = {(language if k == "" else k): v for k, v in titles.items()}
    themes = {(language if k == "" else k): v for k, v in themes.items()}
    return RoomConfig(languages.pick(titles, language), languages.pick(themes, language),
                      capacity, titles, themes)


def _language(value: Any, where: str) -> str:
    try:
        return languages.language(value, where)
    except BadRequest as exc:
        raise ConfigError(str(exc)) from None


def _card_limits(table: dict[str, Any]) -> CardLimits:
    """`[cards]`: pending_per_addressee, pending_per_requester, welcome_requests (≥ 1)."""
    names = {"pending_per_addressee": "per_addressee", "pending_per_requester": "per_requester",
             "welcome_requests": "welcome"}
    unknown = set(table) - set(names)
    if unknown:
        raise ConfigError(f"unknown setting {sorted(unknown)[0]!r} in [cards]")
    values: dict[str, int] = {}
    for key, name in names.items():
        if key in table:
            value = table[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"[cards] {key} must be a whole number of at least 1")
            values[name] = value
    return CardLimits(**values)


def load(path: Path | None = None, **overrides: Any) -> Config:
    """Read `path` (the shipped demo by default) and apply non-None overrides."""
    path = (path or DEFAULT_CONFIG).resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    server = raw.get("server", {})
    database = Path(server.get("database", "data/kohtaamo.db"))
    if not database.is_absolute():
        database = path.parent / database
    rates = dict(DEFAULT_RATES)
    join_rate = DEFAULT_JOIN_RATE
    for name, spec in raw.get("limits", {}).items():
        if name == "join":
            join_rate = Rate(float(spec["burst"]), float(spec["per_second"]))
            continue
        if name not in rates:
            raise ConfigError(f"unknown rate limit {name!r} in [limits]")
        rates[name] = Rate(float(spec["burst"]), float(spec["per_second"]))
    try:
        events = tuple(
            EventConfig(
                slug=str(e["slug"]),
                title=str(e["title"]),
                description=str(e.get("description", "")),
                code=str(e.get("code", "")),
                capacity=int(e["capacity"]) if e.get("capacity") is not None else None,
                rooms=tuple(
                    _room(r, _language(e.get("language", DEFAULT_LANGUAGE),
                                       f"language of event {e['slug']}"),
                          f"table {i} of event {e['slug']}")
                    for i, r in enumerate(e.get("rooms", []), start=1)
                ),
                language=_language(e.get("language", DEFAULT_LANGUAGE),
                                   f"language of event {e['slug']}"),
                ends_at=_instant(e.get("ends_at"), f"ends_at of event {e['slug']}"),
                retention_days=_days(e.get("retention_days"),
                                     f"retention_days of event {e['slug']}"),
            )
            for e in raw.get("events", [])
        )
        w, h = server.get("room_size", [1000, 1000])
        config = Config(
            host=str(server.get("host", "127.0.0.1")),
            port=int(server.get("port", 8080)),
            database=database,
            public_url=str(server.get("public_url", "")),
            tick_hz=float(server.get("tick_hz", 10)),
            presence_hz=float(server.get("presence_hz", 2)),
            grace_seconds=float(server.get("grace_seconds", 30)),
            shutdown_seconds=_positive(server, "shutdown_seconds", 5, 600),
            ping_interval=int(_positive(server, "ping_interval", 5, 300, whole=True)),
            ping_timeout=int(_positive(server, "ping_timeout", 5, 300, whole=True)),
            room_size=(int(w), int(h)),
            max_payload=int(server.get("max_payload", 64 * 1024)),
            metrics_allow=parse_networks(server.get("metrics_allow", ()), "metrics_allow"),
            metrics_token=_token(server.get("metrics_token", "")),
            trusted_proxies=parse_networks(server.get("trusted_proxies", ()), "trusted_proxies"),
            connect_timeout=_positive(server, "connect_timeout", 10),
            max_connections_per_address=int(
                _positive(server, "max_connections_per_address", 50)),
            max_queued_bytes=int(_positive(server, "max_queued_bytes", 1024 * 1024)),
            max_people_per_event=int(_positive(server, "max_people_per_event", 20_000)),
            purge_unconnected_seconds=_positive(server, "purge_unconnected_seconds", 3600),
            rates=rates,
            join_rate=join_rate,
            naive_moves=bool(server.get("naive_moves", False)),
            tuning=Tuning.from_table(raw.get("tuning", {})),
            cards=_card_limits(raw.get("cards", {})),
            media=MediaConfig.from_table(raw.get("media", {})),
            events=events,
            retention_days=_days(raw.get("retention", {}).get("days"), "[retention] days"),
            met_after_seconds=_positive(raw.get("rounds", {}), "met_after_seconds", 120),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"bad configuration in {path}: {exc}") from exc
    changes = {k: v for k, v in overrides.items() if v is not None}
    if "database" in changes:
        changes["database"] = Path(changes["database"]).resolve()
    return dataclasses.replace(config, **changes)
