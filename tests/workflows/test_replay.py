"""Replays committed histories of representative runs against today's workflows.

A change that makes the workflow issue different commands for the same history fails here.
Rewrite the histories on purpose only (``make histories``), never to silence this test.
Every history replays under each workflow runner the worker can use (``runtime.sandbox``): the
strict sandbox guards the workflow code against non-deterministic calls, whatever the worker
runs in production.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.worker import Replayer

from core.callback_contracts import CallbackInput, CallbackOutcome
from runtime.sandbox import SANDBOX_MODES, workflow_runner
from tests.support.histories import HISTORY_DIR, committed_history
from workflows.alerts import AlertsWorkflow
from workflows.callback import CallbackWorkflow
from workflows.follow_on import FollowOnWorkflow
from workflows.health_check import HealthCheckWorkflow
from workflows.recovery import RecoveryWorkflow

EXPECTED = {
    "delivered_first_try",
    "retried_then_delivered",
    "retry_after",
    "dead_letter_manual_retry",
    "dead_letter_retention",
    "pause_resume",
    "cancelled",
    "redirect",
    "retry_now",
    "recovery_100",
    "follow_on_event",
    "follow_on_notify",
    "follow_on_suppress",
    "circuit_open",
    "alerts_continue_as_new",
    "alerts_sent",
    "health_check",
    "health_check_continue_as_new",
}


def test_every_representative_history_is_committed() -> None:
    assert EXPECTED <= {p.stem for p in HISTORY_DIR.glob("*.json")}


@pytest.mark.parametrize("mode", SANDBOX_MODES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_history_replays_deterministically(name: str, mode: str) -> None:
    replayer = Replayer(
        workflows=[
            CallbackWorkflow,
            RecoveryWorkflow,
            FollowOnWorkflow,
            AlertsWorkflow,
            HealthCheckWorkflow,
        ],
        workflow_runner=workflow_runner(mode),
    )
    await replayer.replay_workflow(committed_history(name))


@workflow.defn(name="CallbackWorkflow", sandboxed=False)
class _DriftedCallbackWorkflow:
    """A workflow that sleeps before delivering: the kind of change replay must catch."""

    @workflow.run
    async def run(self, input: CallbackInput) -> CallbackOutcome:
        await workflow.sleep(timedelta(seconds=1))
        return CallbackOutcome(callback_id=input.callback_id, state="delivered", attempts=1)


async def test_replay_catches_a_nondeterministic_change() -> None:
    replayer = Replayer(workflows=[_DriftedCallbackWorkflow])
    with pytest.raises(workflow.NondeterminismError):
        await replayer.replay_workflow(committed_history("delivered_first_try"))
