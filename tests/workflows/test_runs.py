"""The pure step selection of CallbackWorkflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workflows.runs import START_TO_CLOSE_MARGIN, Run, choose_run, timeouts

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
