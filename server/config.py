"""Configuration: `config.toml` read into frozen dataclasses, command-line options on top."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from rooms.cards import CardLimits
from rooms.ratelimit import DEFAULT_RATES, Rate
from server.realtime.tuning import Tuning

#: Joins per client address: generous, but a loop of joins is stopped.
DEFAULT_JOIN_RATE = Rate(burst=300, per_second=50)

#: The demo fair that ships with Kohtaamo, used when no --config is given.
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


@dataclasses.dataclass(frozen=True)
class RoomConfig:
    title: str
    theme: str = ""
    capacity: int | None = None


@dataclasses.dataclass(frozen=True)
class EventConfig:
    slug: str
    title: str
    description: str = ""
    code: str = ""
    #: How many people may be connected at once; None for no limit.
    capacity: int | None = None
    rooms: tuple[RoomConfig, ...] = ()


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
    room_size: tuple[int, int] = (1000, 1000)
    #: Largest Socket.IO message and HTTP body accepted, in bytes.
    max_payload: int = 64 * 1024
    #: Who may read /metrics besides loopback: a list of exact client addresses.
    metrics_allow: tuple[str, ...] = ()
    rates: dict[str, Rate] = dataclasses.field(default_factory=lambda: dict(DEFAULT_RATES))
    #: `[limits] join`: joins per client address (HTTP), not per person.
    join_rate: Rate = DEFAULT_JOIN_RATE
    #: Benchmark only: broadcast each move at once instead of once per tick.
    naive_moves: bool = False
    #: `[tuning]`: performance settings of the Socket.IO stack (server/realtime/tuning.py).
    tuning: Tuning = dataclasses.field(default_factory=Tuning)
    #: `[cards]`: caps on pending card requests, and how many the welcome carries.
    cards: CardLimits = dataclasses.field(default_factory=CardLimits)
    events: tuple[EventConfig, ...] = ()

    def link(self, host: str, port: int) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{shown}:{port}"


class ConfigError(Exception):
    pass


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
                    RoomConfig(str(r["title"]), str(r.get("theme", "")), r.get("capacity"))
                    for r in e.get("rooms", [])
                ),
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
            room_size=(int(w), int(h)),
            max_payload=int(server.get("max_payload", 64 * 1024)),
            metrics_allow=tuple(server.get("metrics_allow", ())),
            rates=rates,
            join_rate=join_rate,
            naive_moves=bool(server.get("naive_moves", False)),
            tuning=Tuning.from_table(raw.get("tuning", {})),
            cards=_card_limits(raw.get("cards", {})),
            events=events,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"bad configuration in {path}: {exc}") from exc
    changes = {k: v for k, v in overrides.items() if v is not None}
    if "database" in changes:
        changes["database"] = Path(changes["database"]).resolve()
    return dataclasses.replace(config, **changes)
