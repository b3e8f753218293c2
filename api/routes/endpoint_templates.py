"""Endpoint templates: CRUD, per tenant or global (admin); endpoints are created from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.access import CanConfigure, CanRead
from api.auth import Principal
from api.deps import SessionDep
from api.schemas import Page, TemplateCreate, TemplatePublic, TemplateUpdate
from core.errors import Forbidden
from store import templates as store
from store.audit import record_audit
from store.endpoint_models import EndpointTemplate
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/endpoint-templates", tags=["endpoint templates"])

Limit = Annotated[int, Query(ge=1, le=500)]


def _is_global_admin(caller: Principal) -> bool:
    return caller.role == "admin" and caller.tenant_id is None


def _may_change(caller: Principal, template: EndpointTemplate) -> None:
    """A global template is changed by a global admin only; a tenant's by that tenant's."""
    if template.tenant_id is None:
        if not _is_global_admin(caller):
            raise Forbidden("global templates are changed by a global admin", code="admin_required")
    else:
        caller.check_tenant(template.tenant_id)


async def _readable(session: SessionDep, caller: Principal, template_id: str) -> EndpointTemplate:
    template = await store.get_template(session, template_id=template_id)
    if template.tenant_id is not None:
        caller.check_tenant(template.tenant_id)
    return template


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TemplatePublic)
async def create_template(
    body: TemplateCreate, caller: CanConfigure, session: SessionDep
) -> TemplatePublic:
    """A tenant key makes its tenant's template; an admin key without tenant_id a global one."""
    tenant_id = caller.tenant_id if caller.tenant_id is not None else body.tenant_id
    if body.tenant_id is not None:
        caller.check_tenant(body.tenant_id)
    if tenant_id is None:
        if not _is_global_admin(caller):
            raise Forbidden("global templates are made by a global admin", code="admin_required")
    else:
        await get_tenant(session, tenant_id=tenant_id)
    template = await store.create_template(
        session,
        tenant_id=tenant_id,
        name=body.name,
        description=body.description,
        config=body.config.model_dump(mode="json", exclude_none=True),
        actor=caller.subject,
    )
    await record_audit(
        session,
        actor=caller,
        action="endpoint_template.create",
        resource=template.id,
        tenant_id=tenant_id,
        summary={"name": body.name, "config": template.config},
    )
    return TemplatePublic.model_validate(template)


@router.get("", response_model=Page[TemplatePublic])
async def list_templates(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[TemplatePublic]:
    """A tenant's own templates and the global ones (a global key without ?tenant=: all)."""
    page = await store.list_templates(
        session, tenant_id=caller.list_scope(tenant), cursor=cursor, limit=limit
    )
    return Page(
        data=[TemplatePublic.model_validate(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.get("/{template_id}", response_model=TemplatePublic)
async def get_template(template_id: str, caller: CanRead, session: SessionDep) -> TemplatePublic:
    return TemplatePublic.model_validate(await _readable(session, caller, template_id))


@router.patch("/{template_id}", response_model=TemplatePublic)
async def update_template(
    template_id: str, body: TemplateUpdate, caller: CanConfigure, session: SessionDep
) -> TemplatePublic:
    """The template's next revision; endpoints already made from it do not change."""
    template = await _readable(session, caller, template_id)
    _may_change(caller, template)
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"config"})
    if body.config is not None:
        changes["config"] = body.config.model_dump(mode="json", exclude_none=True)
    template = await store.update_template(session, template_id=template_id, changes=changes)
    await record_audit(
        session,
        actor=caller,
        action="endpoint_template.update",
        resource=template_id,
        tenant_id=template.tenant_id,
        summary={"revision": template.revision, "changes": changes},
    )
    return TemplatePublic.model_validate(template)


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: str, caller: CanConfigure, session: SessionDep) -> None:
    template = await _readable(session, caller, template_id)
    _may_change(caller, template)
    await store.delete_template(session, template_id=template_id)
    await record_audit(
        session,
        actor=caller,
        action="endpoint_template.delete",
        resource=template_id,
        tenant_id=template.tenant_id,
        summary={"name": template.name},
    )
