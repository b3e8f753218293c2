"""RecoveryWorkflow: bulk recovery of dead letters (and replay of deliveries), durable and
cancellable, with its progress queryable."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.recovery import RecoveryActivities
    from core.callback_contracts import Intervention, StatusQuery
    from core.recovery_contracts import RecoveryInput, RecoveryPage, RecoveryProgress

__all__ = ["RecoveryWorkflow"]

_PAGES_PER_RUN = 50  # then continue-as-new, so the history stays small


@workflow.defn
class RecoveryWorkflow:
    """Works page by page through the callbacks in scope.

    Signal: ``cancel`` (Intervention). Query: ``progress`` (StatusQuery -> RecoveryProgress).
    """

    @workflow.init
    def __init__(self, input: RecoveryInput) -> None:
        self._input = input
        self._state = "running"
        self._cancelled = False
        self._processed, self._retried, self._skipped = (
            input.processed,
            input.retried,
            input.skipped,
        )

    @workflow.run
    async def run(self, input: RecoveryInput) -> RecoveryProgress:
        cursor = input.cursor
        for _ in range(_PAGES_PER_RUN):
            if self._cancelled:
                self._state = "cancelled"
                break
            result = await workflow.execute_activity_method(
                RecoveryActivities.recover_page,
                RecoveryPage(input=input, cursor=cursor),
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
            )
            self._processed += result.processed
            self._retried += result.retried
            self._skipped += result.skipped
            cursor = result.next_cursor
            if cursor is None:
                self._state = "completed"
                break
        else:
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(
                replace(
                    input,
                    cursor=cursor,
                    processed=self._processed,
                    retried=self._retried,
                    skipped=self._skipped,
                )
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.progress()

    @workflow.signal
    def cancel(self, request: Intervention | None = None) -> None:
        self._cancelled = True

    @workflow.query
    def progress(self, query: StatusQuery | None = None) -> RecoveryProgress:
        return RecoveryProgress(
            recovery_id=self._input.recovery_id,
            tenant_id=self._input.tenant_id,
            state=self._state,
            processed=self._processed,
            retried=self._retried,
            skipped=self._skipped,
        )
