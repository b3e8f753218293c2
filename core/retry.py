"""Retry policies: defaults, the spacing of attempts, and the Temporal RetryPolicy they declare.

Default (exponential, 10 s doubling up to 2 h, 18 attempts, 24 h at most): a receiver's blip
is retried within seconds, a deploy or an outage of a few hours is ridden out with a try every
2 hours, and a callback that cannot be delivered within a day is dead-lettered for an operator
rather than retried forever (the spacing adds up to about 16.8 h).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from core.callback_contracts import RetrySpec

__all__ = [
    "DEFERRED_ERROR",
    "FAIL_FAST_ERROR",
    "delay_before_attempt",
    "parse_retry_after",
    "temporal_retry_policy",
]

FAIL_FAST_ERROR = "FailFast"
DEFERRED_ERROR = "Deferred"  # nothing sent, no attempt spent: the workflow waits and tries again


def delay_before_attempt(spec: RetrySpec, attempt: int) -> float:
    """Seconds between try ``attempt - 1`` and try ``attempt`` (``attempt`` >= 2)."""
    if spec.strategy == "fixed":
        return spec.interval_seconds
    raw = spec.initial_interval_seconds * spec.backoff_coefficient ** max(0, attempt - 2)
    return min(raw, spec.max_interval_seconds)


def temporal_retry_policy(
    spec: RetrySpec, max_attempts: int, attempts_done: int = 0
) -> RetryPolicy:
    """The declarative Temporal RetryPolicy of one delivery activity execution.

    An execution that starts after ``attempts_done`` tries (after a local first try, a pause or
    a manual retry) continues the declared spacing instead of starting it over.
    """
    if spec.strategy == "fixed":
        initial = maximum = timedelta(seconds=spec.interval_seconds)
        coefficient = 1.0
    else:
        initial = timedelta(seconds=delay_before_attempt(spec, attempts_done + 2))
        maximum = timedelta(seconds=max(spec.max_interval_seconds, spec.initial_interval_seconds))
        coefficient = spec.backoff_coefficient
    return RetryPolicy(
        initial_interval=initial,
        backoff_coefficient=coefficient,
        maximum_interval=maximum,
        maximum_attempts=max(1, max_attempts),
        non_retryable_error_types=[FAIL_FAST_ERROR],
    )


def parse_retry_after(value: str | None, *, now: float, cap_seconds: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    seconds: float | None
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        from email.utils import parsedate_to_datetime

        try:
            seconds = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError):
            return None
    return max(1.0, min(seconds, cap_seconds))
