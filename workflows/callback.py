"""CallbackWorkflow: one event delivered to one endpoint, retried, dead-lettered, steerable."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import Priority, RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.delivery import DeliveryActivities
    from activities.records import RecordActivities
    from core import search_attributes as sa
    from core.callback_contracts import CallbackInput, CallbackOutcome, CallbackState, StatusRecord
    from core.delivery_contracts import AttemptReport, DeliveryResult
    from core.retry import delay_before_attempt, temporal_retry_policy
    from workflows.callback_steering import CallbackSteering
    from workflows.linkage import FollowOns
    from workflows.runs import (
        Run,
        choose_run,
        deferral_until,
        delivery_request,
        is_deferred,
        report_of,
        timeouts,
    )

__all__ = ["CallbackWorkflow"]

_RECORD_TIMEOUT = timedelta(seconds=30)


@workflow.defn
class CallbackWorkflow(CallbackSteering):
    """Delivers one callback and waits for an operator when it cannot; signals and the status
    query in CallbackSteering, follow-ons as children (workflows.linkage) on their triggers."""

    @workflow.init
    def __init__(self, input: CallbackInput) -> None:
        self._input = input
        self._state = CallbackState.PENDING
        self._attempts = 0
        self._last_error: str | None = None
        self._last_status_code: int | None = None
        self._next_attempt_at: datetime | None = None
        self._paused = False
        self._cancel_requested = False
        self._retry_requested = False
        self._redirect_url: str | None = None
        self._activity: asyncio.Task[DeliveryResult] | None = None
        self._schedule_left = 0 if input.manual_only else input.retry.max_attempts
        self._deferrals = 0  # tries in a row that sent nothing (the endpoint's circuit was open)
        self._slot_reserved = False  # the last deferral reserved a rate-limit slot
        self._follow_ons = FollowOns(input)
        self._was_dead_lettered = input.manual_only  # a re-run from a closed dead letter

    @workflow.run
    async def run(self, input: CallbackInput) -> CallbackOutcome:
        deadline = workflow.now() + timedelta(seconds=input.retry.max_duration_seconds)
        if input.manual_only:
            self._retry_requested = True
        else:
            self._fire("event")
        while True:
            if self._cancel_requested:
                await self._enter(CallbackState.CANCELLED)
                break
            if self._paused:
                paused_at = workflow.now()
                await self._enter(CallbackState.PAUSED)
                await workflow.wait_condition(lambda: not self._paused or self._cancel_requested)
                # paused time does not count against the declared total duration
                deadline += workflow.now() - paused_at
                if self._schedule_left > 0 and not self._cancel_requested:
                    await self._enter(
                        CallbackState.RETRYING if self._attempts else CallbackState.PENDING
                    )
                continue
            run = self._next_run()
            if run is None:
                if not await self._wait_in_dead_letter():
                    break
                continue
            delivered = await self._execute(run, deadline)
            if delivered:
                await self._enter(CallbackState.DELIVERED, record=False)
                break
        await self._follow_ons.settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CallbackOutcome(
            callback_id=input.callback_id,
            state=self._state,
            attempts=self._attempts,
            last_error=self._last_error,
        )

    def _next_run(self) -> Run | None:
        run = choose_run(
            redirect_url=self._redirect_url,
            retry_requested=self._retry_requested,
            schedule_left=self._schedule_left,
        )
        if run is not None and run.target_url is not None:
            self._redirect_url = None
        else:
            self._retry_requested = False
        return run

    async def _first_try_locally(self, run: Run, deadline: datetime) -> bool:
        """The first try as a local activity: no activity-task round trip and 5 fewer history
        events. A failure hands over to the regular activity with the declared RetryPolicy."""
        self._state = CallbackState.DELIVERING
        start_to_close, _ = timeouts(
            run, endpoint_timeout=self._input.timeout_seconds, deadline=deadline, now=workflow.now()
        )
        self._activity = workflow.start_local_activity_method(
            DeliveryActivities.deliver,
            delivery_request(self._input, run, self._attempts, deadline, self._take_slot()),
            start_to_close_timeout=start_to_close,
            retry_policy=RetryPolicy(maximum_attempts=1),
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        try:
            result = await self._activity
        except FailureError as err:  # a local activity's failure comes unwrapped
            cause = err.cause if isinstance(err, ActivityError) else err
            report = self._note_failure(cause)
            if is_deferred(cause):
                await self._defer(report, deadline)
                return False
            self._deferrals = 0
            self._attempts = max(self._attempts, 1)
            self._schedule_left = run.max_attempts - 1
            if self._interrupted():
                return False
            final = isinstance(cause, ApplicationError) and cause.non_retryable
            if final or self._schedule_left == 0:
                self._schedule_left = 0
                return False
            default_wait = timedelta(seconds=delay_before_attempt(self._input.retry, 2))
            at = report.next_attempt_at if report else None
            await self._wait_for_next_try(at or workflow.now() + default_wait)
            return False
        finally:
            self._activity = None
        self._note_delivery(result)
        return True

    async def _wait_for_next_try(self, at: datetime) -> None:
        """Waits until ``at`` (the declared spacing or Retry-After) unless a signal comes first."""
        self._state = CallbackState.RETRYING
        self._next_attempt_at = at
        workflow.upsert_search_attributes([sa.STATUS.value_set(self._state)])
        await self._sleep_until(at)

    async def _sleep_until(self, at: datetime) -> None:
        try:
            await workflow.wait_condition(
                self._interrupted, timeout=max(timedelta(0), at - workflow.now())
            )
        except TimeoutError:
            pass

    def _interrupted(self) -> bool:
        return self._paused or self._cancel_requested or self._wants_manual()

    async def _defer(self, report: AttemptReport | None, deadline: datetime) -> None:
        """Nothing was sent and no attempt spent (e.g. the endpoint's circuit is open): waits
        until asked to (later with each deferral in a row, by the declared spacing), never
        past the deadline, unless a signal comes first."""
        now = workflow.now()
        self._slot_reserved = report is not None and report.deferral == "rate"
        at, self._deferrals = deferral_until(
            report, now=now, deadline=deadline, deferrals=self._deferrals, retry=self._input.retry
        )
        if at <= now:
            self._schedule_left = 0
            return
        self._next_attempt_at = at
        await self._sleep_until(at)

    def _take_slot(self) -> bool:
        reserved, self._slot_reserved = self._slot_reserved, False
        return reserved

    def _note_delivery(self, result: DeliveryResult) -> None:
        self._deferrals = 0
        self._attempts = result.attempt
        self._last_status_code = result.status_code
        self._last_error = None
        self._next_attempt_at = None

    async def _execute(self, run: Run, deadline: datetime) -> bool:
        """Runs one activity execution; True when the callback was delivered."""
        if run.first_of_schedule and self._attempts == 0:
            return await self._first_try_locally(run, deadline)
        self._state = CallbackState.DELIVERING if self._attempts == 0 else CallbackState.RETRYING
        offset = self._attempts
        is_retry = run.scheduled and run.trigger == "scheduled" and offset > 0  # not an operator's
        start_to_close, schedule_to_close = timeouts(
            run, endpoint_timeout=self._input.timeout_seconds, deadline=deadline, now=workflow.now()
        )
        self._activity = workflow.start_activity_method(
            DeliveryActivities.deliver,
            delivery_request(self._input, run, self._attempts, deadline, self._take_slot()),
            start_to_close_timeout=start_to_close,
            schedule_to_close_timeout=schedule_to_close,
            retry_policy=temporal_retry_policy(self._input.retry, run.max_attempts, offset),
            task_queue=self._input.retry_task_queue if is_retry else None,
            priority=self._retry_priority() if is_retry else Priority.default,
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        try:
            result = await self._activity
        except ActivityError as err:
            report = self._note_failure(err.cause)
            self._next_attempt_at = None
            if is_deferred(err.cause):
                used = self._attempts - offset
                self._schedule_left = max(0, run.max_attempts - used) if run.scheduled else 0
                await self._defer(report, deadline)
                if not run.scheduled and not self._cancel_requested:
                    self._retry_requested = True  # a deferred manual try is still wanted
                return False
            self._deferrals = 0
            if run.scheduled:
                used = self._attempts - offset
                interrupted = self._interrupted()
                self._schedule_left = 0 if not interrupted else max(0, run.max_attempts - used)
            return False
        finally:
            self._activity = None
        self._note_delivery(result)
        return True

    def _retry_priority(self) -> Priority:
        """Retries behind fresh work, each endpoint its own fairness key (as the input says;
        neither is part of what replay checks, so older histories replay either way)."""
        fairness = self._input.endpoint_id[:64] if self._input.retry_fairness else None
        return Priority(priority_key=self._input.retry_priority_key, fairness_key=fairness)

    def _note_failure(self, cause: BaseException | None) -> AttemptReport | None:
        """Takes in the report a failed execution carries (None for a timeout or cancel)."""
        report = report_of(cause)
        if report is not None:
            self._apply_report(report)
        elif cause is not None and not self._last_error:
            self._last_error = str(cause)
        return report

    def _wants_manual(self) -> bool:
        return self._retry_requested or self._redirect_url is not None

    async def _wait_in_dead_letter(self) -> bool:
        """Parks the callback in dead letter; False when retention ran out untouched."""
        await self._enter(CallbackState.DEAD_LETTERED)
        try:
            await workflow.wait_condition(
                self._interrupted,
                timeout=timedelta(seconds=self._input.dead_letter_retention_seconds),
            )
        except TimeoutError:
            return False
        return True

    async def _enter(self, state: str, *, record: bool = True) -> None:
        """Moves to ``state``: search attribute for the Web UI, and the store unless told not."""
        self._state = state
        workflow.upsert_search_attributes([sa.STATUS.value_set(state)])
        if state in (CallbackState.DELIVERED, CallbackState.DEAD_LETTERED, CallbackState.CANCELLED):
            self._fire(state)
        if state == CallbackState.DELIVERED and self._was_dead_lettered:
            self._fire("recovered")
        self._was_dead_lettered = self._was_dead_lettered or state == CallbackState.DEAD_LETTERED
        if record:
            await workflow.execute_activity_method(
                RecordActivities.record_status,
                StatusRecord(
                    callback_id=self._input.callback_id,
                    state=state,
                    attempts=self._attempts,
                    last_error=self._last_error,
                ),
                start_to_close_timeout=_RECORD_TIMEOUT,
            )

    def _fire(self, trigger: str) -> None:
        self._follow_ons.fire(
            trigger, state=self._state, attempts=self._attempts, last_error=self._last_error
        )
