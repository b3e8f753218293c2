"""Retry policies: attempt spacing, the declared Temporal RetryPolicy, Retry-After parsing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from core.callback_contracts import RetrySpec
from core.retry import (
    FAIL_FAST_ERROR,
    delay_before_attempt,
    parse_retry_after,
    temporal_retry_policy,
)

NOW = 1_800_000_000.0


def test_exponential_doubles_then_caps_at_the_maximum() -> None:
    spec = RetrySpec(initial_interval_seconds=10, backoff_coefficient=2, max_interval_seconds=60)
    delays = [delay_before_attempt(spec, attempt) for attempt in range(2, 8)]
    assert delays == [10, 20, 40, 60, 60, 60]


def test_exponential_with_another_coefficient() -> None:
    spec = RetrySpec(initial_interval_seconds=1, backoff_coefficient=3, max_interval_seconds=1000)
    assert [delay_before_attempt(spec, a) for a in (2, 3, 4)] == [1, 3, 9]


def test_fixed_is_the_same_every_time() -> None:
    spec = RetrySpec(strategy="fixed", interval_seconds=30, initial_interval_seconds=5)
    assert {delay_before_attempt(spec, a) for a in range(2, 10)} == {30}


def test_default_spacing_fits_in_the_default_day() -> None:
    spec = RetrySpec()
    delays = [delay_before_attempt(spec, a) for a in range(2, spec.max_attempts + 1)]
    assert delays[:11] == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 7200]
    assert delays[11:] == [7200] * 6
    assert sum(delays) == 60630  # about 16.8 h, inside max_duration_seconds
    assert sum(delays) < spec.max_duration_seconds


def test_temporal_policy_exponential() -> None:
    spec = RetrySpec(initial_interval_seconds=2, backoff_coefficient=3, max_interval_seconds=50)
    policy = temporal_retry_policy(spec, 7)
    assert policy.initial_interval == timedelta(seconds=2)
    assert policy.backoff_coefficient == 3
    assert policy.maximum_interval == timedelta(seconds=50)
    assert policy.maximum_attempts == 7
    assert policy.non_retryable_error_types == [FAIL_FAST_ERROR]


def test_temporal_policy_maximum_never_below_initial() -> None:
    spec = RetrySpec(initial_interval_seconds=30, max_interval_seconds=5)
    assert temporal_retry_policy(spec, 3).maximum_interval == timedelta(seconds=30)


def test_temporal_policy_fixed_and_at_least_one_attempt() -> None:
    spec = RetrySpec(strategy="fixed", interval_seconds=12, backoff_coefficient=4)
    policy = temporal_retry_policy(spec, 0)
    assert policy.initial_interval == policy.maximum_interval == timedelta(seconds=12)
    assert policy.backoff_coefficient == 1.0
    assert policy.maximum_attempts == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 120 ", 120.0),
        ("0", 1.0),  # at least a second
        ("100000", 600.0),  # capped
        ("9" * 400, 600.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("1.5", None),
        ("-3", None),
        ("\u00b2", None),  # a non-ASCII "digit" a receiver might send
        ("Wed, 99 Foo 2015 07:28:00 GMT", None),
    ],
)
def test_parse_retry_after_seconds_and_garbage(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW, cap_seconds=600) == expected


def _http_date(offset: float) -> str:
    return format_datetime(datetime.fromtimestamp(NOW + offset, tz=UTC), usegmt=True)


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after(_http_date(90), now=NOW, cap_seconds=600) == pytest.approx(90)
    assert parse_retry_after(_http_date(-90), now=NOW, cap_seconds=600) == 1.0
    assert parse_retry_after(_http_date(86400), now=NOW, cap_seconds=600) == 600.0


def test_a_later_execution_continues_the_declared_spacing() -> None:
    spec = RetrySpec(initial_interval_seconds=1, backoff_coefficient=2, max_interval_seconds=5)
    fresh = temporal_retry_policy(spec, 5)
    after_one = temporal_retry_policy(spec, 4, attempts_done=1)
    after_five = temporal_retry_policy(spec, 2, attempts_done=5)
    assert fresh.initial_interval == timedelta(seconds=1)
    assert after_one.initial_interval == timedelta(seconds=2)  # the wait before try 3
    assert after_five.initial_interval == timedelta(seconds=5)  # capped
    fixed = RetrySpec(strategy="fixed", interval_seconds=7)
    assert temporal_retry_policy(fixed, 3, attempts_done=4).initial_interval == timedelta(seconds=7)
