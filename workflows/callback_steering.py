"""The signals and the query of CallbackWorkflow: how an operator (or the delivery activity)
steers a running callback and reads its live state."""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from core.callback_contracts import (
        CallbackInput,
        CallbackState,
        CallbackStatus,
        Intervention,
        RedirectRequest,
        StatusQuery,
    )
    from core.delivery_contracts import AttemptReport, DeliveryResult

__all__ = ["CallbackSteering"]


class CallbackSteering:
    """Signals ``retry_now``, ``pause``, ``resume``, ``cancel`` (Intervention), ``redirect``
    (RedirectRequest), ``attempt_failed`` (AttemptReport, from the activity) and the query
    ``status`` (StatusQuery -> CallbackStatus), over the state CallbackWorkflow's __init__ sets."""

    _input: CallbackInput
    _state: str
    _attempts: int
    _last_error: str | None
    _last_status_code: int | None
    _next_attempt_at: datetime | None
    _paused: bool
    _cancel_requested: bool
    _retry_requested: bool
    _redirect_url: str | None
    _activity: asyncio.Task[DeliveryResult] | None

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
