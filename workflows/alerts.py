"""AlertsWorkflow: evaluates every alert rule every GOUTONG_ALERTS_INTERVAL_SECONDS and sends
the alert webhooks of what fired or resolved; one per deployment, running for ever."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from core.alert_contracts import (
        AlertsEvaluation,
        AlertsInput,
        AlertsSend,
        AlertsSent,
        AlertsSummary,
        AlertsTick,
    )

__all__ = ["AlertsWorkflow"]

EVALUATE_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


@workflow.defn
class AlertsWorkflow:
    """Started by every worker with the fixed id ``alerts/<task queue>`` (the one already
    running is kept). Each iteration: the ``alerts_evaluate`` activity opens and resolves alerts
    in the store; when webhooks wait in the outbox, ``alerts_send`` POSTs them, retried with
    backoff for about one interval (what is still unsent then is tried again next iteration:
    nothing is lost). After ``iterations_per_run`` iterations it continues as new, so its
    history stays small."""

    @workflow.run
    async def run(self, input: AlertsInput) -> AlertsSummary:
        iteration = 0
        while True:
            evaluation: AlertsEvaluation = await workflow.execute_activity(
                "alerts_evaluate",
                AlertsTick(run=input.run, iteration=iteration),
                result_type=AlertsEvaluation,
                start_to_close_timeout=timedelta(minutes=2),
                retry_policy=EVALUATE_RETRY,
            )
            iteration += 1
            if evaluation.unsent:
                await self._send(evaluation.interval_seconds)
            await workflow.sleep(timedelta(seconds=evaluation.interval_seconds))
            if iteration >= evaluation.iterations_per_run:
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(AlertsInput(run=input.run + 1))

    async def _send(self, interval_seconds: float) -> None:
        """Sends what waits, retried for about one interval (10 s to 10 min): a receiver that
        stays down delays the next evaluation by that much at most."""
        budget = timedelta(seconds=min(max(interval_seconds, 10.0), 600.0))
        try:
            await workflow.execute_activity(
                "alerts_send",
                AlertsSend(),
                result_type=AlertsSent,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=budget,
                retry_policy=SEND_RETRY,
            )
        except ActivityError:
            workflow.logger.warning("alert webhooks still failing; next iteration tries again")
