"""Token buckets that take the time as an argument, so tests move time by hand."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class Rate:
    """`burst` actions at once, refilled at `per_second`."""

    burst: float
    per_second: float


@dataclasses.dataclass(slots=True)
class TokenBucket:
    rate: Rate
    tokens: float
    updated_ms: int

    @classmethod
    def full(cls, rate: Rate, now_ms: int) -> TokenBucket:
        return cls(rate, rate.burst, now_ms)

    def take(self, now_ms: int, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough; False means over the limit."""
        elapsed = max(0, now_ms - self.updated_ms) / 1000.0
        self.tokens = min(self.rate.burst, self.tokens + elapsed * self.rate.per_second)
        self.updated_ms = now_ms
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def refilled(self, now_ms: int) -> bool:
        """Whether the bucket would be full now: as if it had never been used."""
        elapsed = max(0, now_ms - self.updated_ms) / 1000.0
        return self.tokens + elapsed * self.rate.per_second >= self.rate.burst


class Limits:
    """One bucket per (person, action), created on first use, kept by person so
    forgetting someone touches only their own buckets (thousands leaving at once
    scanned every bucket for each of them)."""

    def __init__(self, rates: dict[str, Rate], prune_every: int = 0) -> None:
        self.rates = rates
        self._buckets: dict[str, dict[str, TokenBucket]] = {}
        #: With holders nobody forgets (client addresses), every this many calls
        #: of `allow` the ones whose buckets have all refilled are dropped, so a
        #: stream of new addresses does not grow memory without bound.
        self.prune_every = prune_every
        self._calls = 0

    def allow(self, person: str, action: str, now_ms: int) -> bool:
        if self.prune_every:
            self._calls += 1
            if self._calls >= self.prune_every:
                self._calls = 0
                self.prune(now_ms)
        mine = self._buckets.get(person)
        if mine is None:
            mine = self._buckets[person] = {}
        bucket = mine.get(action)
        if bucket is None:
            bucket = mine[action] = TokenBucket.full(self.rates[action], now_ms)
        return bucket.take(now_ms)

    def forget(self, person: str) -> None:
        self._buckets.pop(person, None)

    def prune(self, now_ms: int) -> None:
        """Forget every holder whose buckets have all refilled (no limit is lost:
        a new bucket starts full)."""
        for holder in [h for h, mine in self._buckets.items()
                       if all(b.refilled(now_ms) for b in mine.values())]:
            del self._buckets[holder]

    def holders(self) -> set[str]:
        """Who (people, addresses, connections) has buckets now."""
        return set(self._buckets)

    def __len__(self) -> int:
        """How many people (or addresses, connections) have buckets."""
        return len(self._buckets)


#: Defaults; `config.toml` [limits] overrides any of them.
DEFAULT_RATES: dict[str, Rate] = {
    "move": Rate(burst=20, per_second=12),
    "chat": Rate(burst=5, per_second=1),
    "wave": Rate(burst=3, per_second=0.2),
    "card": Rate(burst=5, per_second=0.1),
    "flag": Rate(burst=3, per_second=0.02),
    "enter": Rate(burst=5, per_second=2),
    "status": Rate(burst=5, per_second=1),
    "staff": Rate(burst=20, per_second=5),
    #: Raising and lowering one's hand on the stage.
    "hand": Rate(burst=6, per_second=0.5),
    #: Profile photo uploads (each is decoded and re-encoded) and people searches.
    "photo": Rate(burst=5, per_second=0.1),
    "search": Rate(burst=20, per_second=4),
    #: Joins to one event from every address together (checked by `Floor.admit_join`).
    "event_join": Rate(burst=500, per_second=50),
    #: Bad or over-the-limit requests one connection may make before it is closed
    #: (`bad_request`, `rate_limited`, dropped moves): a sustained flood ends it.
    "violations": Rate(burst=500, per_second=50),
}
