"""Starting the deployment's one AlertsWorkflow (every worker asks; the running one is kept)."""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from core.alert_contracts import AlertsInput
from core.settings import Settings
from workflows.alerts import AlertsWorkflow

__all__ = ["ensure_alerts_workflow"]


async def ensure_alerts_workflow(client: Client, settings: Settings) -> WorkflowHandle:
    """The AlertsWorkflow with the fixed id ``alerts/<task queue>``: started if none runs,
    else the one running (idempotent; also after it failed or was terminated)."""
    return await client.start_workflow(
        AlertsWorkflow.run,
        AlertsInput(),
        id=settings.alerts_workflow_id,
        task_queue=settings.temporal_task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
