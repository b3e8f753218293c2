"""Endpoints: where a tenant's callbacks go, with filters, secret and retry policy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from api.access import CanConfigure, CanRead
from api.auth import Principal
from api.deps import ControlDep, SecretBoxDep, SessionDep, TargetGuardDep
from api.endpoint_config import apply_template, audit_summary, create_columns, update_columns
from api.schemas import EndpointCreate, EndpointCreated, EndpointPublic, EndpointUpdate, Page
from core.errors import InvalidInput
from core.ids import new_id
from core.signing import generate_secret
from runtime.health_checks import after_endpoint_change
from runtime.operational import endpoint_switched
from store import endpoints as store
from store.audit import changes_of, record_audit
from store.endpoint_models import Endpoint, EndpointTemplate
from store.templates import get_template
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/endpoints", tags=["endpoints"])

Limit = Annotated[int, Query(ge=1, le=500)]


async def _template_for(
    session: SessionDep, caller: Principal, template_id: str, tenant_id: str
) -> EndpointTemplate:
    """The template, if it is global or the endpoint's tenant's."""
    template = await get_template(session, template_id=template_id)
    if template.tenant_id is not None:
        caller.check_tenant(template.tenant_id)
        if template.tenant_id != tenant_id:
            raise InvalidInput(
                f"template {template_id} belongs to another tenant",
                code="template_not_applicable",
            )
    return template


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EndpointCreated)
async def create_endpoint(
    body: EndpointCreate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
    control: ControlDep,
) -> EndpointCreated:
    tenant_id = caller.resolve_tenant(body.tenant_id)
    await get_tenant(session, tenant_id=tenant_id)
    origin: dict[str, Any] = {}
    if body.template_id is not None:
        template = await _template_for(session, caller, body.template_id, tenant_id)
        body = apply_template(body, template.config)
        origin = {"template_id": template.id, "template_revision": template.revision}
    endpoint_id = new_id("ep")
    fields = {**create_columns(body, endpoint_id=endpoint_id, box=box, caller=caller), **origin}
    for target in fields["targets"]:
        await guard.check_url(target["url"])
    secret = body.secret or generate_secret()
    endpoint = await store.create_endpoint(
        session,
        tenant_id=tenant_id,
        actor=caller.subject,
        endpoint_id=endpoint_id,
        secret=box.seal(secret, context=endpoint_id),
        **fields,
    )
    await record_audit(
        session,
        actor=caller,
        action="endpoint.create",
        resource=endpoint_id,
        tenant_id=tenant_id,
        summary={
            "fields": audit_summary(fields),
            "secret": "given" if body.secret else "generated",
        },
    )
    await after_endpoint_change(control, endpoint)
    return EndpointCreated(**EndpointPublic.model_validate(endpoint).model_dump(), secret=secret)


@router.get("", response_model=Page[EndpointPublic])
async def list_endpoints(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[EndpointPublic]:
    page = await store.list_endpoints(
        session, tenant_id=caller.list_scope(tenant), cursor=cursor, limit=limit
    )
    return Page(
        data=[EndpointPublic.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )


async def _owned(session: SessionDep, caller: Principal, endpoint_id: str) -> Endpoint:
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    return endpoint


@router.get("/{endpoint_id}", response_model=EndpointPublic)
async def get_endpoint(endpoint_id: str, caller: CanRead, session: SessionDep) -> EndpointPublic:
    return EndpointPublic.model_validate(await _owned(session, caller, endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointPublic)
async def update_endpoint(
    endpoint_id: str,
    body: EndpointUpdate,
    caller: CanConfigure,
    session: SessionDep,
    guard: TargetGuardDep,
    box: SecretBoxDep,
    control: ControlDep,
) -> EndpointPublic:
    current = await _owned(session, caller, endpoint_id)
    was_enabled = current.enabled
    changes = update_columns(body, current=current, box=box, caller=caller)
    for target in changes.get("targets", []):
        await guard.check_url(target["url"])
    summary = audit_summary(changes_of(current, changes))
    endpoint = await store.update_endpoint(
        session, endpoint_id=endpoint_id, changes=changes, actor=caller.subject
    )
    await record_audit(
        session,
        actor=caller,
        action="endpoint.update",
        resource=endpoint_id,
        tenant_id=endpoint.tenant_id,
        summary=summary,
    )
    if endpoint.enabled != was_enabled:
        await endpoint_switched(session, control, endpoint, actor=caller.subject)
    await after_endpoint_change(control, endpoint)
    return EndpointPublic.model_validate(endpoint)


@router.delete("/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_endpoint(endpoint_id: str, caller: CanConfigure, session: SessionDep) -> None:
    endpoint = await _owned(session, caller, endpoint_id)
    await store.delete_endpoint(session, endpoint_id=endpoint_id)
    await record_audit(
        session,
        actor=caller,
        action="endpoint.delete",
        resource=endpoint_id,
        tenant_id=endpoint.tenant_id,
        summary={"url": endpoint.url},
    )
