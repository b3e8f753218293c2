"""Starting a callback's follow-ons as child workflows, from inside the CallbackWorkflow."""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from core.callback_contracts import CallbackInput, FollowOnInput, FollowOnSpec
    from core.linkage import follow_on_id
    from workflows.follow_on import FollowOnWorkflow

__all__ = ["FollowOns"]


class FollowOns:
    """Fires a callback's follow-ons on its triggers; each trigger starts each matching rule's
    child once (deterministic ids, REJECT_DUPLICATE), abandoned so it outlives the callback."""

    def __init__(self, input: CallbackInput) -> None:
        self._input = input
        self._seq: dict[str, int] = {}
        self._starts: list[asyncio.Task[None]] = []

    def fire(self, trigger: str, *, state: str, attempts: int, last_error: str | None) -> None:
        specs = [s for s in self._input.follow_ons if trigger in s.triggers]
        if not specs:
            return
        self._seq[trigger] = seq = self._seq.get(trigger, 0) + 1
        for spec in specs:
            child = FollowOnInput(
                rule_id=spec.rule_id,
                kind=spec.kind,
                trigger=trigger,
                tenant_id=self._input.tenant_id,
                callback_id=self._input.callback_id,
                endpoint_id=self._input.endpoint_id,
                event_id=self._input.event_id,
                event_type=self._input.event_type,
                message_id=self._input.message_id,
                state=state,
                attempts=attempts,
                last_error=last_error,
            )
            child_id = follow_on_id(
                spec,
                trigger=trigger,
                callback_id=self._input.callback_id,
                event_id=self._input.event_id,
                run_id=workflow.info().run_id,
                seq=seq,
            )
            self._starts.append(asyncio.create_task(self._start(spec, child, child_id)))

    async def _start(self, spec: FollowOnSpec, child: FollowOnInput, child_id: str) -> None:
        custom = spec.kind == "workflow"
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(sa.TENANT, child.tenant_id),
                SearchAttributePair(sa.MESSAGE_ID, child.message_id),
            ]
        )
        try:
            await workflow.start_child_workflow(
                spec.workflow_type if custom and spec.workflow_type else FollowOnWorkflow.run,
                child,
                id=child_id,
                task_queue=spec.task_queue if custom else None,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=attributes,
            )
        except WorkflowAlreadyStartedError:
            pass  # another callback of the same event fired this rule already

    async def settle(self) -> None:
        """Waits until every fired follow-on has started (before the callback completes)."""
        if self._starts:
            await asyncio.gather(*self._starts)
