"""The audit log: who changed which configuration or intervened, when, from where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.access import CanAudit
from api.deps import SessionDep
from api.schemas import AuditEntryPublic, Page
from core.errors import InvalidInput
from store.audit import list_audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=Page[AuditEntryPublic])
async def audit_log(
    caller: CanAudit,
    session: SessionDep,
    tenant: str | None = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="exact, or a prefix ending in '.'")
    ] = None,
    resource: Annotated[str | None, Query(max_length=200)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[AuditEntryPublic]:
    """Newest first; a tenant_admin sees its own tenant's entries only."""
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since must be before until", code="invalid_window")
    page = await list_audit(
        session,
        tenant_id=caller.list_scope(tenant),
        actor=actor,
        action=action,
        resource=resource,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        data=[AuditEntryPublic.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )
