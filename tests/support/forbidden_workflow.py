"""A CallbackWorkflow look-alike that reads the wall clock: what the sandbox must refuse."""

from __future__ import annotations

import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from core.callback_contracts import CallbackInput, CallbackOutcome


@workflow.defn(name="CallbackWorkflow")
class WallClockCallbackWorkflow:
    @workflow.run
    async def run(self, input: CallbackInput) -> CallbackOutcome:
        stamp = datetime.datetime.now()  # forbidden in a workflow: not replay-safe
        callback_id = f"{input.callback_id}@{stamp}"
        return CallbackOutcome(callback_id=callback_id, state="delivered", attempts=1)
