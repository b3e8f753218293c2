"""The suppression list: who a tenant's messages must not go to; asked before sending."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.access import CanConfigure, CanRead
from api.deps import SessionDep
from api.schemas import Page
from api.schemas.linkage import SuppressionCheck, SuppressionCreate, SuppressionPublic
from core.errors import NotFound
from store import suppressions as store
from store.audit import record_audit
from store.linkage_models import Suppression
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/suppressions", tags=["linkage"])

Limit = Annotated[int, Query(ge=1, le=500)]
Recipient = Annotated[str, Query(min_length=1, max_length=320)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SuppressionPublic)
async def add_suppression(
    body: SuppressionCreate, caller: CanConfigure, session: SessionDep
) -> SuppressionPublic:
    """Adds a recipient by hand; adding one already listed returns the existing entry."""
    tenant_id = caller.resolve_tenant(body.tenant_id)
    await get_tenant(session, tenant_id=tenant_id)
    entry, created = await store.suppress(
        session,
        tenant_id=tenant_id,
        recipient=body.recipient,
        reason=body.reason,
        channel=body.channel,
        source=f"manual:{caller.subject}",
    )
    if created:
        await record_audit(
            session,
            actor=caller,
            action="suppression.add",
            resource=entry.id,
            tenant_id=tenant_id,
            summary={"reason": body.reason, "channel": body.channel},
        )
    return SuppressionPublic.model_validate(entry)


@router.get("", response_model=Page[SuppressionPublic])
async def list_suppressions(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[SuppressionPublic]:
    page = await store.list_suppressions(
        session, tenant_id=caller.list_scope(tenant), cursor=cursor, limit=limit
    )
    return Page(
        data=[SuppressionPublic.model_validate(s) for s in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/check", response_model=SuppressionCheck)
async def check_suppression(
    recipient: Recipient, caller: CanRead, session: SessionDep, tenant: str | None = None
) -> SuppressionCheck:
    """Whether a recipient is suppressed: the notification platform asks before it sends."""
    tenant_id = caller.resolve_tenant(tenant)
    entry = await store.find_suppression(session, tenant_id=tenant_id, recipient=recipient)
    return SuppressionCheck(
        recipient=recipient,
        suppressed=entry is not None,
        entry=SuppressionPublic.model_validate(entry) if entry else None,
    )


@router.delete("/{suppression_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_suppression(
    suppression_id: str, caller: CanConfigure, session: SessionDep
) -> None:
    entry = await session.get(Suppression, suppression_id)
    if entry is None:
        raise NotFound(f"suppression {suppression_id} not found", code="suppression_not_found")
    caller.check_tenant(entry.tenant_id)
    await store.remove_suppression(session, suppression_id=suppression_id)
    await record_audit(
        session,
        actor=caller,
        action="suppression.remove",
        resource=suppression_id,
        tenant_id=entry.tenant_id,
        summary={"reason": entry.reason},
    )
