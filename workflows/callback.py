"""CallbackWorkflow: one event delivered to one endpoint, retried, dead-lettered, steerable."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.delivery import DeliveryActivities
    from activities.records import RecordActivities
    from core import search_attributes as sa
    from core.contracts import (
        AttemptReport,
        CallbackInput,
        CallbackOutcome,
        CallbackState,
        CallbackStatus,
        DeliveryRequest,
        DeliveryResult,
        Intervention,
        RedirectRequest,
        StatusQuery,
        StatusRecord,
    )
    from core.retry import temporal_retry_policy

__all__ = ["CallbackWorkflow"]

_START_TO_CLOSE_MARGIN = timedelta(seconds=10)
_RECORD_TIMEOUT = timedelta(seconds=30)


@dataclass
class _Run:
    """One activity execution the workflow is about to start."""

    max_attempts: int
    trigger: str
    target_url: str | None = None
    scheduled: bool = True


@workflow.defn
class CallbackWorkflow:
    """Delivers one callback and waits for an operator when it cannot.

    Signals: ``retry_now``, ``pause``, ``resume``, ``cancel`` (Intervention),
    ``redirect`` (RedirectRequest), ``attempt_failed`` (AttemptReport, from the activity).
    Query: ``status`` (StatusQuery -> CallbackStatus).
    """

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

    @workflow.run
    async def run(self, input: CallbackInput) -> CallbackOutcome:
        deadline = workflow.now() + timedelta(seconds=input.retry.max_duration_seconds)
        if input.manual_only:
            self._retry_requested = True
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
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CallbackOutcome(
            callback_id=input.callback_id,
            state=self._state,
            attempts=self._attempts,
            last_error=self._last_error,
        )

    def _next_run(self) -> _Run | None:
        """The next activity execution: a redirect, a manual retry, the schedule, or none."""
        if self._redirect_url is not None:
            url, self._redirect_url = self._redirect_url, None
            return _Run(max_attempts=1, trigger="manual", target_url=url, scheduled=False)
        manual = self._retry_requested
        self._retry_requested = False
        if self._schedule_left > 0:
            return _Run(self._schedule_left, "manual" if manual else "scheduled")
        if manual:
            return _Run(max_attempts=1, trigger="manual", scheduled=False)
        return None

    async def _execute(self, run: _Run, deadline: datetime) -> bool:
        """Runs one activity execution; True when the callback was delivered."""
        self._state = CallbackState.DELIVERING if self._attempts == 0 else CallbackState.RETRYING
        offset = self._attempts
        request = DeliveryRequest(
            callback_id=self._input.callback_id,
            attempt_offset=offset,
            max_attempts=run.max_attempts,
            trigger=run.trigger,
            retry=self._input.retry,
            deadline=deadline,
            target_url=run.target_url,
        )
        remaining = max(timedelta(seconds=1), deadline - workflow.now())
        if not run.scheduled:
            remaining = timedelta(seconds=self._input.timeout_seconds) + _START_TO_CLOSE_MARGIN
        self._activity = workflow.start_activity_method(
            DeliveryActivities.deliver,
            request,
            start_to_close_timeout=timedelta(seconds=self._input.timeout_seconds)
            + _START_TO_CLOSE_MARGIN,
            schedule_to_close_timeout=remaining,
            retry_policy=temporal_retry_policy(self._input.retry, run.max_attempts),
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        try:
            result = await self._activity
        except ActivityError as err:
            self._note_failure(err)
            interrupted = self._paused or self._cancel_requested or self._wants_manual()
            if run.scheduled:
                used = self._attempts - offset
                self._schedule_left = 0 if not interrupted else max(0, run.max_attempts - used)
            return False
        finally:
            self._activity = None
        self._attempts = result.attempt
        self._last_status_code = result.status_code
        self._last_error = None
        self._next_attempt_at = None
        return True

    def _note_failure(self, err: ActivityError) -> None:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.details:
            report = cause.details[0]
            if isinstance(report, dict):
                self._apply_report(AttemptReport(**report))
        elif cause is not None and not self._last_error:
            self._last_error = str(cause)
        self._next_attempt_at = None

    def _wants_manual(self) -> bool:
        return self._retry_requested or self._redirect_url is not None

    async def _wait_in_dead_letter(self) -> bool:
        """Parks the callback in dead letter; False when retention ran out untouched."""
        await self._enter(CallbackState.DEAD_LETTERED)
        try:
            await workflow.wait_condition(
                lambda: self._wants_manual() or self._cancel_requested or self._paused,
                timeout=timedelta(seconds=self._input.dead_letter_retention_seconds),
            )
        except TimeoutError:
            return False
        return True

    async def _enter(self, state: str, *, record: bool = True) -> None:
        """Moves to ``state``: search attribute for the Web UI, and the store unless told not."""
        self._state = state
        workflow.upsert_search_attributes([sa.STATUS.value_set(state)])
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

    def _interrupt(self) -> None:
        """Cancels the running activity execution (in flight or waiting for its next try)."""
        if self._activity is not None and not self._activity.done():
            self._activity.cancel()

    def _apply_report(self, report: AttemptReport) -> None:
        if report.attempt >= self._attempts:
            self._attempts = report.attempt
            self._last_error = report.error
            self._last_status_code = report.status_code
            self._next_attempt_at = report.next_attempt_at

    @workflow.signal
    def attempt_failed(self, report: AttemptReport) -> None:
        self._apply_report(report)
        if self._state == CallbackState.DELIVERING:
            self._state = CallbackState.RETRYING
            workflow.upsert_search_attributes([sa.STATUS.value_set(self._state)])

    @workflow.signal
    def retry_now(self, request: Intervention | None = None) -> None:
        if self._state in CallbackState.FINAL:
            return
        self._retry_requested = True
        self._interrupt()

    @workflow.signal
    def redirect(self, request: RedirectRequest) -> None:
        if self._state in CallbackState.FINAL:
            return
        self._redirect_url = request.url
        self._interrupt()

    @workflow.signal
    def pause(self, request: Intervention | None = None) -> None:
        if self._state in CallbackState.FINAL:
            return
        self._paused = True
        self._interrupt()

    @workflow.signal
    def resume(self, request: Intervention | None = None) -> None:
        self._paused = False

    @workflow.signal
    def cancel(self, request: Intervention | None = None) -> None:
        if self._state in CallbackState.FINAL:
            return
        self._cancel_requested = True
        self._interrupt()

    @workflow.query
    def status(self, query: StatusQuery | None = None) -> CallbackStatus:
        return CallbackStatus(
            callback_id=self._input.callback_id,
            state=self._state,
            attempts=self._attempts,
            last_error=self._last_error,
            last_status_code=self._last_status_code,
            next_attempt_at=self._next_attempt_at,
        )
