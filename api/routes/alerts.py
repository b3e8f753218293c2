"""Alerts: what the alert rules (and escalate follow-ons) raised, firing or resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.access import CanRead
from api.deps import SessionDep
from api.schemas import Page
from api.schemas.alerts import AlertKind, AlertPublic, AlertState
from store import alerts as store

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("", response_model=Page[AlertPublic])
async def list_alerts(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    state: AlertState | None = None,
    rule: str | None = None,
    endpoint: str | None = None,
    kind: AlertKind | None = None,
    since: Annotated[datetime | None, Query(description="fired at or after")] = None,
    until: Annotated[datetime | None, Query(description="fired before")] = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[AlertPublic]:
    """Newest first; ``state=firing`` is what needs attention now."""
    page = await store.list_alerts(
        session,
        tenant_id=caller.list_scope(tenant),
        state=state,
        rule_id=rule,
        endpoint_id=endpoint,
        kind=kind,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    return Page(
        data=[AlertPublic.model_validate(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.get("/{alert_id}", response_model=AlertPublic)
async def get_alert(alert_id: str, caller: CanRead, session: SessionDep) -> AlertPublic:
    alert = await store.get_alert(session, alert_id=alert_id)
    caller.check_tenant(alert.tenant_id)
    return AlertPublic.model_validate(alert)
