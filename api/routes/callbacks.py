"""Callbacks: status, attempt log, and manual intervention through workflow signals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, status

from api.access import CanIntervene, CanRead
from api.auth import Principal
from api.deps import ControlDep, SessionDep, SettingsDep, TargetGuardDep
from api.schemas import (
    AttemptPublic,
    CallbackDetail,
    CallbackPublic,
    InterventionAccepted,
    InterventionIn,
    LiveStatus,
    Page,
    RedirectIn,
)
from core.callback_contracts import CallbackState, Intervention, RedirectRequest
from core.errors import InvalidInput, NotFound
from store import callbacks as store
from store.audit import record_audit
from store.endpoint_models import Endpoint
from store.endpoints import get_endpoint
from store.event_models import Callback
from store.linkage import callback_follow_ons

router = APIRouter(prefix="/v1/callbacks", tags=["callbacks"])

Limit = Annotated[int, Query(ge=1, le=500)]
StatusFilter = Literal[
    "pending", "delivering", "retrying", "paused", "delivered", "dead_lettered", "cancelled"
]


@router.get("", response_model=Page[CallbackPublic])
async def list_callbacks(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    endpoint: str | None = None,
    status: StatusFilter | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[CallbackPublic]:
    page = await store.list_callbacks(
        session,
        tenant_id=caller.list_scope(tenant),
        endpoint_id=endpoint,
        status=status,
        event_type=event_type,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        data=[CallbackPublic.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )


async def _owned(session: SessionDep, caller: Principal, callback_id: str) -> Callback:
    callback = await store.get_callback(session, callback_id=callback_id)
    caller.check_tenant(callback.tenant_id)
    return callback


@router.get("/{callback_id}", response_model=CallbackDetail)
async def get_callback(
    callback_id: str,
    caller: CanRead,
    session: SessionDep,
    control: ControlDep,
    settings: SettingsDep,
) -> CallbackDetail:
    callback = await _owned(session, caller, callback_id)
    attempts = await store.list_attempts(session, callback_id=callback_id)
    live = await control.status(callback_id)
    ui = (
        f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
        f"/workflows/{callback_id}"
    )
    return CallbackDetail(
        **CallbackPublic.model_validate(callback).model_dump(),
        attempt_log=[AttemptPublic.model_validate(a) for a in attempts],
        live=LiveStatus.model_validate(live) if live else None,
        temporal_ui_url=ui,
    )


@router.post(
    "/{callback_id}/redirect",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterventionAccepted,
)
async def redirect(
    callback_id: str,
    body: RedirectIn,
    caller: CanIntervene,
    session: SessionDep,
    control: ControlDep,
    guard: TargetGuardDep,
) -> InterventionAccepted:
    """Delivers this callback once to another URL (signed the same way)."""
    callback = await _owned(session, caller, callback_id)
    await guard.check_url(str(body.url))
    request = RedirectRequest(url=str(body.url), actor=caller.key_id, reason=body.reason)
    await control.signal(callback, "redirect", request)
    await record_audit(
        session,
        actor=caller,
        action="callback.redirect",
        resource=callback_id,
        tenant_id=callback.tenant_id,
        summary={"url": request.url, "reason": body.reason},
    )
    return InterventionAccepted(callback_id=callback_id, action="redirect")


Action = Literal["retry", "pause", "resume", "cancel"]
_SIGNALS = {"pause": "pause", "resume": "resume", "cancel": "cancel"}


@router.post(
    "/{callback_id}/{action}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InterventionAccepted,
)
async def intervene(
    callback_id: str,
    action: Action,
    caller: CanIntervene,
    session: SessionDep,
    control: ControlDep,
    body: Annotated[InterventionIn | None, Body()] = None,
) -> InterventionAccepted:
    """retry (also out of dead letter), pause, resume or cancel one callback."""
    callback = await _owned(session, caller, callback_id)
    request = Intervention(actor=caller.key_id, reason=body.reason if body else "")
    if action == "retry":
        if callback.status in (CallbackState.DELIVERED, CallbackState.CANCELLED):
            raise InvalidInput(
                f"callback {callback_id} is {callback.status}; nothing to retry",
                code="callback_not_retryable",
            )
        endpoint = await _endpoint_or_none(session, callback.endpoint_id)
        rules = await callback_follow_ons(session, callbacks=[callback], events={})
        await control.retry(callback, endpoint, caller.key_id, rules.get(callback.id))
    else:
        await control.signal(callback, _SIGNALS[action], request)
    await record_audit(
        session,
        actor=caller,
        action=f"callback.{action}",
        resource=callback_id,
        tenant_id=callback.tenant_id,
        summary={"reason": request.reason} if request.reason else {},
    )
    return InterventionAccepted(callback_id=callback_id, action=action)


async def _endpoint_or_none(session: SessionDep, endpoint_id: str) -> Endpoint | None:
    try:
        return await get_endpoint(session, endpoint_id=endpoint_id)
    except NotFound:
        return None
