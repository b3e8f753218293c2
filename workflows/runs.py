"""Which activity execution a callback runs next, and its timeouts (pure, deterministic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.exceptions import ApplicationError

from core.callback_contracts import CallbackInput, RetrySpec
from core.delivery_contracts import AttemptReport, DeliveryRequest
from core.retry import DEFERRED_ERROR, delay_before_attempt

__all__ = [
    "START_TO_CLOSE_MARGIN",
    "Run",
    "choose_run",
    "deferral_until",
    "delivery_request",
    "is_deferred",
    "report_of",
    "timeouts",
]

START_TO_CLOSE_MARGIN = timedelta(seconds=10)


@dataclass
class Run:
    """One activity execution the workflow is about to start."""

    max_attempts: int
    trigger: str  # "scheduled" or "manual"
    target_url: str | None = None
    scheduled: bool = True  # part of the declared schedule (not a one-off manual try)

    @property
    def first_of_schedule(self) -> bool:
        return self.scheduled and self.trigger == "scheduled"


def choose_run(
    *, redirect_url: str | None, retry_requested: bool, schedule_left: int
) -> Run | None:
    """A redirect first, then the rest of the schedule (a manual retry only skips its wait),
    then one manual try out of dead letter; None when there is nothing to do."""
    if redirect_url is not None:
        return Run(max_attempts=1, trigger="manual", target_url=redirect_url, scheduled=False)
    if schedule_left > 0:
        return Run(schedule_left, "manual" if retry_requested else "scheduled")
    if retry_requested:
        return Run(max_attempts=1, trigger="manual", scheduled=False)
    return None


def timeouts(
    run: Run, *, endpoint_timeout: float, deadline: datetime, now: datetime
) -> tuple[timedelta, timedelta]:
    """(start_to_close, schedule_to_close): one try may take the endpoint's timeout plus a
    margin; a scheduled execution may last until the declared deadline, a one-off one try."""
    start_to_close = timedelta(seconds=endpoint_timeout) + START_TO_CLOSE_MARGIN
    if not run.scheduled:
        return start_to_close, start_to_close
    return start_to_close, max(timedelta(seconds=1), deadline - now)


def is_deferred(cause: BaseException | None) -> bool:
    """A try that sent nothing and spent no attempt (the endpoint's circuit was open)."""
    return isinstance(cause, ApplicationError) and cause.type == DEFERRED_ERROR


def report_of(cause: BaseException | None) -> AttemptReport | None:
    """The AttemptReport a failed delivery carries in its ApplicationError details, if any."""
    if not isinstance(cause, ApplicationError) or not cause.details:
        return None
    raw = cause.details[0]
    if not isinstance(raw, dict):
        return None
    report = AttemptReport(**raw)
    if isinstance(report.next_attempt_at, str):
        report.next_attempt_at = datetime.fromisoformat(report.next_attempt_at)
    return report


def delivery_request(
    input: CallbackInput,
    run: Run,
    attempts_done: int,
    deadline: datetime,
    slot_reserved: bool = False,
) -> DeliveryRequest:
    return DeliveryRequest(
        callback_id=input.callback_id,
        attempt_offset=attempts_done,
        max_attempts=run.max_attempts,
        trigger=run.trigger,
        retry=input.retry,
        deadline=deadline,
        target_url=run.target_url,
        force=input.manual_only,
        slot_reserved=slot_reserved,
    )


def deferral_until(
    report: AttemptReport | None,
    *,
    now: datetime,
    deadline: datetime,
    deferrals: int,
    retry: RetrySpec,
) -> tuple[datetime, int]:
    """When a try that sent nothing asks again, and the deferrals in a row after this one: a
    reserved rate slot at its time; a concurrency limit soon, then less often (1, 2, 4 ... 30 s);
    an open circuit by the declared spacing; never past the deadline."""
    asked = report.next_attempt_at if report and report.next_attempt_at else now
    kind = report.deferral if report else None
    if kind == "rate":
        return min(asked, deadline), deferrals
    deferrals += 1
    if kind == "concurrency":
        wait = timedelta(seconds=min(2 ** (deferrals - 1), 30))
    else:
        wait = timedelta(seconds=delay_before_attempt(retry, deferrals + 1))
    return min(max(asked, now + wait), deadline), deferrals
