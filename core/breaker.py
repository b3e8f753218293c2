"""The circuit breaker's policy: when an endpoint's failures open it, how long it stays open.

closed --(failure rate >= ``failure_rate`` of >= ``min_requests`` tries in a window, or
``consecutive_failures`` in a row)--> open --(``open_seconds`` later, one probe)--> half_open
--(probe succeeds)--> closed; --(probe fails)--> open.

An endpoint whose every try failed for ``disable_after`` (no success since the first failure of
the run) is disabled altogether.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["BREAKER_STATES", "BreakerPolicy", "failing_too_long", "next_state", "should_open"]

BREAKER_STATES = ("closed", "open", "half_open")


@dataclass(frozen=True)
class BreakerPolicy:
    failure_rate: float = 0.7
    min_requests: int = 10
    window_seconds: float = 60.0
    consecutive_failures: int = 10
    open_seconds: float = 30.0
    disable_after_seconds: float = 5 * 86400.0  # 0: never disable an endpoint for failing


def should_open(policy: BreakerPolicy, requests: int, failures: int, consecutive: int) -> bool:
    """Whether a closed breaker opens after these counts."""
    if consecutive >= policy.consecutive_failures:
        return True
    return requests >= policy.min_requests and failures >= policy.failure_rate * requests


def next_state(
    policy: BreakerPolicy,
    state: str,
    *,
    failed: bool,
    requests: int,
    failures: int,
    consecutive: int,
) -> tuple[str, str] | None:
    """Where the breaker goes after a counted try, and why; None when it stays."""
    if state == "half_open":
        return ("open", "the probe failed") if failed else ("closed", "the probe succeeded")
    if state != "closed" or not should_open(policy, requests, failures, consecutive):
        return None
    if consecutive >= policy.consecutive_failures:
        return "open", f"{consecutive} failures in a row"
    window = f"{policy.window_seconds:g} s"
    return "open", f"{failures} of {requests} tries failed within {window}"


def failing_too_long(policy: BreakerPolicy, failing_since: datetime | None, now: datetime) -> bool:
    """Whether a run of failures that began at ``failing_since`` disables the endpoint now."""
    if failing_since is None or policy.disable_after_seconds <= 0:
        return False
    return now - failing_since >= timedelta(seconds=policy.disable_after_seconds)
