"""FollowOnWorkflow: runs one built-in follow-on (notify, suppress, webhook, escalate)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from core.callback_contracts import FollowOnInput, FollowOnOutcome

__all__ = ["BUILT_IN_KINDS", "FOLLOW_ON_RETRY", "FollowOnWorkflow"]

BUILT_IN_KINDS = ("notify", "suppress", "webhook", "escalate")

FOLLOW_ON_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=20,
    non_retryable_error_types=["FollowOnRefused"],
)


@workflow.defn
class FollowOnWorkflow:
    """Started by a CallbackWorkflow as a child (ParentClosePolicy ABANDON) for one trigger of
    one linkage rule; it outlives its parent. No signals or queries: it does one thing, retried.
    """

    @workflow.run
    async def run(self, input: FollowOnInput) -> FollowOnOutcome:
        if input.kind not in BUILT_IN_KINDS:
            return FollowOnOutcome(input.rule_id, input.trigger, f"unknown kind {input.kind}")
        # by name (activities.follow_ons registers follow_on_<kind>): no import cycle
        return await workflow.execute_activity(
            f"follow_on_{input.kind}",
            input,
            result_type=FollowOnOutcome,
            start_to_close_timeout=timedelta(seconds=60),
            schedule_to_close_timeout=timedelta(days=1),
            retry_policy=FOLLOW_ON_RETRY,
        )
