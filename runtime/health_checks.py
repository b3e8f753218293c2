"""Starting the HealthCheckWorkflow of an endpoint with an active health check (the API after a
change, the worker on start); at most one runs per endpoint."""

from __future__ import annotations

import logging

from sqlmodel import col, select
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from core.delivery_contracts import HealthCheckInput
from core.errors import GoutongError
from core.settings import Settings
from runtime.callbacks import CallbackControl
from store.db import Database
from store.endpoint_models import Endpoint
from workflows.health_check import HealthCheckWorkflow, health_check_workflow_id

__all__ = ["after_endpoint_change", "ensure_health_checks", "start_health_check"]

log = logging.getLogger(__name__)


async def start_health_check(client: Client, settings: Settings, endpoint: Endpoint) -> bool:
    """Starts the endpoint's health checks unless they run already; False when it has none or
    Temporal did not answer (logged: the endpoint change stands, the next change or worker
    start tries again)."""
    if not endpoint.health_check or not endpoint.enabled:
        return False
    try:
        await client.start_workflow(
            HealthCheckWorkflow.run,
            HealthCheckInput(endpoint.id),
            id=health_check_workflow_id(endpoint.id),
            task_queue=settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )
    except Exception as exc:
        log.warning("could not start health checks of %s: %s", endpoint.id, exc)
        return False
    return True


async def ensure_health_checks(client: Client, settings: Settings, db: Database) -> int:
    """Starts the health checks of every enabled endpoint that has one; how many run."""
    async with db.session() as session:
        rows = await session.exec(
            select(Endpoint).where(
                col(Endpoint.health_check).is_not(None), col(Endpoint.enabled).is_(True)
            )
        )
        endpoints = list(rows.all())
    started = 0
    for endpoint in endpoints:
        started += await start_health_check(client, settings, endpoint)
    return started


async def after_endpoint_change(control: CallbackControl, endpoint: Endpoint) -> None:
    """The API's hook after an endpoint is created, changed or rolled back: its health checks
    start if it has them (they stop by themselves once it has none, or is disabled)."""
    if not endpoint.health_check or not endpoint.enabled:
        return
    try:
        client = await control.client()
    except GoutongError as exc:
        log.warning("could not start health checks of %s: %s", endpoint.id, exc)
        return
    await start_health_check(client, control.settings, endpoint)
