"""Per-caller API rate limits: a token bucket per API key or JWT subject, in this process.

Each API replica counts on its own, so N replicas allow up to N times the rate (documented in
docs/operations.md); the buckets live in memory and start full after a restart.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["RateLimiter", "TokenBucket"]


@dataclass
class TokenBucket:
    """``rate`` tokens a second up to ``burst``; a request takes one."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is there."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """Buckets by caller; the least recently used are forgotten past ``max_callers``."""

    def __init__(self, *, max_callers: int = 100_000) -> None:
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def check(self, caller: str, *, rate: float, burst: int, now: float | None = None) -> int:
        """0 if the request may go, else the Retry-After in whole seconds (at least 1)."""
        if rate <= 0:
            return 0
        now = time.monotonic() if now is None else now
        burst_f = float(max(burst, 1))
        bucket = self._buckets.get(caller)
        if bucket is None or bucket.rate != rate or bucket.burst != burst_f:
            bucket = TokenBucket(rate=rate, burst=burst_f, tokens=burst_f, updated=now)
            self._buckets[caller] = bucket
        self._buckets.move_to_end(caller)
        while len(self._buckets) > self.max_callers:
            self._buckets.popitem(last=False)
        wait = bucket.take(now)
        return 0 if wait == 0 else max(1, math.ceil(wait))
