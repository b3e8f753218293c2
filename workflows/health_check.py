"""HealthCheckWorkflow: an endpoint's active health checks, one round per interval on a
durable timer, for as long as the endpoint has a health check and is enabled."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.health_checks import HealthCheckActivities
    from core.delivery_contracts import HealthCheckInput, HealthCheckRound, HealthCheckRun

__all__ = ["HealthCheckWorkflow", "health_check_workflow_id"]


def health_check_workflow_id(endpoint_id: str) -> str:
    return f"health-{endpoint_id}"


@workflow.defn
class HealthCheckWorkflow:
    """Runs ``check_health`` (the activity marks targets healthy or not for every worker),
    sleeps the interval it returns, and ends when it returns none."""

    @workflow.run
    async def run(self, input: HealthCheckInput) -> HealthCheckRound:
        last = HealthCheckRound(input.endpoint_id)
        for _ in range(max(1, input.rounds_per_run)):
            try:
                last = await workflow.execute_activity_method(
                    HealthCheckActivities.check_health,
                    HealthCheckRun(input.endpoint_id),
                    start_to_close_timeout=timedelta(minutes=2),
                    retry_policy=RetryPolicy(
                        maximum_interval=timedelta(minutes=1), maximum_attempts=5
                    ),
                )
            except ActivityError:  # e.g. the store is down: keep checking, a minute apart
                workflow.logger.warning("health check of %s failed", input.endpoint_id)
                last = HealthCheckRound(input.endpoint_id, next_check_seconds=60.0)
            if last.next_check_seconds is None:
                return last
            await workflow.sleep(timedelta(seconds=last.next_check_seconds))
        workflow.continue_as_new(replace(input, rounds=input.rounds + max(1, input.rounds_per_run)))
