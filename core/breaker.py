"""The circuit breaker's policy: when an endpoint's failures open it, how long it stays open.

closed --(failure rate >= ``failure_rate`` of >= ``min_requests`` tries in a window, or
``consecutive_failures`` in a row)--> open --(``open_seconds`` later, one probe)--> half_open
--(probe succeeds)--> closed; --(probe fails)--> open.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BreakerPolicy", "should_open"]


@dataclass(frozen=True)
class BreakerPolicy:
    failure_rate: float = 0.7
    min_requests: int = 10
    window_seconds: float = 60.0
    consecutive_failures: int = 10
    open_seconds: float = 30.0


def should_open(policy: BreakerPolicy, requests: int, failures: int, consecutive: int) -> bool:
    """Whether a closed breaker opens after these counts."""
    if consecutive >= policy.consecutive_failures:
        return True
    return requests >= policy.min_requests and failures >= policy.failure_rate * requests
