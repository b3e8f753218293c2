"""Tenants: the business systems that receive callbacks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.access import CanAdminister, CanConfigure, CanRead
from api.deps import SessionDep
from api.schemas import Page, TenantCreate, TenantPublic, TenantUpdate
from store import tenants as store
from store.audit import changes_of, record_audit

router = APIRouter(prefix="/v1/tenants", tags=["tenants"])

Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TenantPublic)
async def create_tenant(
    body: TenantCreate, caller: CanAdminister, session: SessionDep
) -> TenantPublic:
    tenant = await store.create_tenant(session, name=body.name, description=body.description)
    await record_audit(
        session,
        actor=caller,
        action="tenant.create",
        resource=tenant.id,
        tenant_id=tenant.id,
        summary=body.model_dump(),
    )
    return TenantPublic.model_validate(tenant)


@router.get("", response_model=Page[TenantPublic])
async def list_tenants(
    caller: CanRead, session: SessionDep, cursor: str | None = None, limit: Limit = 50
) -> Page[TenantPublic]:
    page = await store.list_tenants(session, only=caller.tenant_id, cursor=cursor, limit=limit)
    return Page(
        data=[TenantPublic.model_validate(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.get("/{tenant_id}", response_model=TenantPublic)
async def get_tenant(tenant_id: str, caller: CanRead, session: SessionDep) -> TenantPublic:
    caller.check_tenant(tenant_id)
    return TenantPublic.model_validate(await store.get_tenant(session, tenant_id=tenant_id))


@router.patch("/{tenant_id}", response_model=TenantPublic)
async def update_tenant(
    tenant_id: str, body: TenantUpdate, caller: CanConfigure, session: SessionDep
) -> TenantPublic:
    caller.check_tenant(tenant_id)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    summary = changes_of(await store.get_tenant(session, tenant_id=tenant_id), changes)
    tenant = await store.update_tenant(session, tenant_id=tenant_id, changes=changes)
    await record_audit(
        session,
        actor=caller,
        action="tenant.update",
        resource=tenant_id,
        tenant_id=tenant_id,
        summary=summary,
    )
    return TenantPublic.model_validate(tenant)


@router.delete("/{tenant_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_tenant(tenant_id: str, caller: CanAdminister, session: SessionDep) -> None:
    await store.delete_tenant(session, tenant_id=tenant_id)
    await record_audit(
        session, actor=caller, action="tenant.delete", resource=tenant_id, tenant_id=tenant_id
    )
