"""Tenants: the business systems that receive callbacks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict, NotFound
from core.ids import new_id
from store.alert_models import AlertRule
from store.endpoint_models import Endpoint
from store.event_models import EventType
from store.linkage_models import LinkageRule
from store.pagination import Page, paginate, to_page
from store.tenant_models import ApiKey, Tenant
from store.types import utcnow

__all__ = ["create_tenant", "delete_tenant", "get_tenant", "list_tenants", "update_tenant"]


async def create_tenant(session: AsyncSession, *, name: str, description: str = "") -> Tenant:
    tenant = Tenant(id=new_id("tnt"), name=name, description=description)
    session.add(tenant)
    await session.commit()
    return tenant


async def get_tenant(session: AsyncSession, *, tenant_id: str) -> Tenant:
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
    return tenant


async def list_tenants(
    session: AsyncSession, *, only: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[Tenant]:
    statement = select(Tenant)
    if only is not None:
        statement = statement.where(Tenant.id == only)
    rows = (await session.exec(paginate(statement, Tenant.id, cursor=cursor, limit=limit))).all()
    return to_page(list(rows), limit=limit, id_of=lambda t: t.id)


async def update_tenant(
    session: AsyncSession, *, tenant_id: str, changes: dict[str, Any]
) -> Tenant:
    tenant = await get_tenant(session, tenant_id=tenant_id)
    for key, value in changes.items():
        setattr(tenant, key, value)
    tenant.updated_at = utcnow()
    session.add(tenant)
    await session.commit()
    return tenant


async def delete_tenant(session: AsyncSession, *, tenant_id: str) -> None:
    tenant = await get_tenant(session, tenant_id=tenant_id)
    endpoint = (await session.exec(select(Endpoint).where(Endpoint.tenant_id == tenant_id))).first()
    if endpoint is not None:
        raise Conflict(
            f"tenant {tenant_id} still has endpoints; delete them first", code="tenant_not_empty"
        )
    keys = await session.exec(
        select(ApiKey).where(ApiKey.tenant_id == tenant_id, col(ApiKey.revoked_at).is_(None))
    )
    for key in keys.all():  # a deleted tenant's keys must not outlive it
        key.revoked_at = utcnow()
        session.add(key)
    for rule in (
        await session.exec(select(LinkageRule).where(LinkageRule.tenant_id == tenant_id))
    ).all():
        await session.delete(rule)
    await session.execute(delete(AlertRule).where(col(AlertRule.tenant_id) == tenant_id))
    await session.execute(delete(EventType).where(col(EventType.tenant_id) == tenant_id))
    await session.delete(tenant)
    await session.commit()
