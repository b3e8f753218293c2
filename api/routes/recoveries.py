"""Bulk recovery and replay, run as a RecoveryWorkflow (durable, queryable, cancellable)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from api.access import CanIntervene, CanRead
from api.auth import Principal
from api.deps import ControlDep, SessionDep, SettingsDep
from api.schemas import RecoveryCreate, RecoveryProgressPublic, RecoveryStarted
from core.callback_contracts import Intervention
from core.errors import NotFound, ServiceUnavailable
from core.ids import new_id
from core.recovery_contracts import RecoveryInput, RecoveryProgress
from store.audit import record_audit
from store.endpoints import get_endpoint
from store.recovery import count_recoverable
from workflows.recovery import RecoveryWorkflow

router = APIRouter(tags=["recovery"])


async def _start(
    body: RecoveryCreate,
    caller: Principal,
    session: SessionDep,
    control: ControlDep,
    settings: SettingsDep,
    response: Response,
) -> RecoveryStarted:
    tenant_id = caller.list_scope(body.tenant_id)
    if body.endpoint_id is not None:
        caller.check_tenant((await get_endpoint(session, endpoint_id=body.endpoint_id)).tenant_id)
    scope = RecoveryInput(
        recovery_id=new_id("rcv"),
        tenant_id=tenant_id,
        endpoint_id=body.endpoint_id,
        event_type=body.event_type,
        since=body.since,
        until=body.until,
        include_delivered=body.include_delivered,
        actor=caller.key_id,
    )
    matched = await count_recoverable(session, scope=scope)
    if body.dry_run:
        response.status_code = status.HTTP_200_OK
        return RecoveryStarted(recovery_id=None, matched=matched, dry_run=True)
    client = await control.client()
    try:
        await client.start_workflow(
            RecoveryWorkflow.run,
            scope,
            id=scope.recovery_id,
            task_queue=settings.temporal_task_queue,
        )
    except RPCError as exc:
        raise ServiceUnavailable(exc.message, code="temporal_unavailable") from exc
    await record_audit(
        session,
        actor=caller,
        action="recovery.start",
        resource=scope.recovery_id,
        tenant_id=tenant_id,
        summary={"scope": body.model_dump(mode="json", exclude={"dry_run"}), "matched": matched},
    )
    return RecoveryStarted(recovery_id=scope.recovery_id, matched=matched, dry_run=False)


_DRY_RUN: dict[int | str, dict[str, Any]] = {
    200: {"model": RecoveryStarted, "description": "A dry run: counted, not started"}
}


@router.post(
    "/v1/recoveries",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecoveryStarted,
    responses=_DRY_RUN,
)
async def start_recovery(
    body: RecoveryCreate,
    caller: CanIntervene,
    session: SessionDep,
    control: ControlDep,
    settings: SettingsDep,
    response: Response,
) -> RecoveryStarted:
    """Retries every dead letter in scope (tenant, endpoint, event type, time range)."""
    return await _start(body, caller, session, control, settings, response)


@router.post(
    "/v1/endpoints/{endpoint_id}/recover",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecoveryStarted,
    responses=_DRY_RUN,
)
async def recover_endpoint(
    endpoint_id: str,
    body: RecoveryCreate,
    caller: CanIntervene,
    session: SessionDep,
    control: ControlDep,
    settings: SettingsDep,
    response: Response,
) -> RecoveryStarted:
    """The same, for one endpoint."""
    body.endpoint_id = endpoint_id
    return await _start(body, caller, session, control, settings, response)


async def _progress(control: ControlDep, caller: Principal, recovery_id: str) -> RecoveryProgress:
    # typed by the workflow, so a closed recovery's result is a RecoveryProgress, not a dict
    handle = (await control.client()).get_workflow_handle_for(RecoveryWorkflow.run, recovery_id)
    try:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.RUNNING:
            progress = await handle.query(RecoveryWorkflow.progress)
        else:
            progress = await handle.result()
    except RPCError as exc:
        raise NotFound(f"recovery {recovery_id} not found", code="recovery_not_found") from exc
    if caller.tenant_id is not None and progress.tenant_id != caller.tenant_id:
        raise NotFound(f"recovery {recovery_id} not found", code="recovery_not_found")
    return progress


@router.get("/v1/recoveries/{recovery_id}", response_model=RecoveryProgressPublic)
async def recovery_progress(
    recovery_id: str, caller: CanRead, control: ControlDep
) -> RecoveryProgressPublic:
    return RecoveryProgressPublic.model_validate(await _progress(control, caller, recovery_id))


@router.post(
    "/v1/recoveries/{recovery_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecoveryProgressPublic,
)
async def cancel_recovery(
    recovery_id: str, caller: CanIntervene, control: ControlDep, session: SessionDep
) -> RecoveryProgressPublic:
    """Stops after the page in progress; callbacks already retried stay retried."""
    progress = await _progress(control, caller, recovery_id)
    if progress.state == "running":
        handle = (await control.client()).get_workflow_handle(recovery_id)
        await handle.signal(RecoveryWorkflow.cancel, Intervention(actor=caller.key_id))
        await record_audit(
            session,
            actor=caller,
            action="recovery.cancel",
            resource=recovery_id,
            tenant_id=progress.tenant_id,
        )
    return RecoveryProgressPublic.model_validate(progress)
