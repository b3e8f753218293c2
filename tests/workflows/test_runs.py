"""The pure step selection of CallbackWorkflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.callback_contracts import RetrySpec
from core.delivery_contracts import AttemptReport
from core.retry import delay_before_attempt
from workflows.runs import START_TO_CLOSE_MARGIN, Run, choose_run, deferral_until, timeouts

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_redirect_comes_first_and_is_one_manual_try() -> None:
    run = choose_run(redirect_url="http://b/", retry_requested=True, schedule_left=5)
    assert run == Run(1, "manual", "http://b/", scheduled=False)


def test_a_manual_retry_inside_the_schedule_keeps_the_remaining_attempts() -> None:
    assert choose_run(redirect_url=None, retry_requested=True, schedule_left=4) == Run(4, "manual")
    assert choose_run(redirect_url=None, retry_requested=False, schedule_left=4) == Run(
        4, "scheduled"
    )


def test_out_of_dead_letter_a_retry_is_one_manual_try_and_otherwise_nothing() -> None:
    assert choose_run(redirect_url=None, retry_requested=True, schedule_left=0) == Run(
        1, "manual", scheduled=False
    )
    assert choose_run(redirect_url=None, retry_requested=False, schedule_left=0) is None


def test_timeouts_of_scheduled_and_one_off_runs() -> None:
    deadline = NOW + timedelta(hours=2)
    per_try = timedelta(seconds=15) + START_TO_CLOSE_MARGIN
    assert timeouts(Run(3, "scheduled"), endpoint_timeout=15, deadline=deadline, now=NOW) == (
        per_try,
        timedelta(hours=2),
    )
    one_off = Run(1, "manual", scheduled=False)
    assert timeouts(one_off, endpoint_timeout=15, deadline=deadline, now=NOW) == (per_try, per_try)
    late = timeouts(Run(3, "scheduled"), endpoint_timeout=15, deadline=NOW, now=NOW)
    assert late[1] == timedelta(seconds=1)


NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
FAR = NOW + timedelta(hours=1)


def _deferred(kind: str, asked: datetime | None = None) -> AttemptReport:
    return AttemptReport(attempt=0, error=kind, next_attempt_at=asked, deferral=kind)


def test_a_reserved_rate_slot_is_kept_and_is_no_deferral_in_a_row() -> None:
    slot = NOW + timedelta(milliseconds=250)
    at, deferrals = deferral_until(
        _deferred("rate", slot), now=NOW, deadline=FAR, deferrals=3, retry=RetrySpec()
    )
    assert (at, deferrals) == (slot, 3)


def test_a_concurrency_limit_asks_again_soon_then_less_often() -> None:
    waits = []
    deferrals = 0
    for _ in range(8):
        at, deferrals = deferral_until(
            _deferred("concurrency"), now=NOW, deadline=FAR, deferrals=deferrals, retry=RetrySpec()
        )
        waits.append((at - NOW).total_seconds())
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]


def test_an_open_circuit_waits_by_the_declared_spacing_never_past_the_deadline() -> None:
    retry = RetrySpec()
    at, deferrals = deferral_until(
        _deferred("circuit"), now=NOW, deadline=FAR, deferrals=1, retry=retry
    )
    assert deferrals == 2
    assert at == NOW + timedelta(seconds=delay_before_attempt(retry, 3))
    later = NOW + timedelta(hours=2)  # the breaker asks for a time past the deadline
    at, _ = deferral_until(
        _deferred("circuit", later), now=NOW, deadline=FAR, deferrals=0, retry=retry
    )
    assert at == FAR
    at, _ = deferral_until(None, now=NOW, deadline=NOW, deferrals=0, retry=retry)
    assert at == NOW  # nothing left: the caller ends the schedule
