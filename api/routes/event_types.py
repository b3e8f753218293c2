"""The event type catalogue: built-in and custom types with versioned JSON Schemas, and the
public listing receivers' documentation is made from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.access import CanConfigure, CanRead, RouteClass, allowed
from api.auth import Principal
from api.deps import CatalogueDep, SessionDep, limit_public
from api.schemas import (
    Catalog,
    CatalogEntry,
    EventTypeCreate,
    EventTypeDeprecate,
    EventTypeDetail,
    EventTypeList,
    EventTypePublic,
    EventTypePublish,
    EventTypeVersionCreate,
)
from core.errors import Forbidden, InvalidInput
from core.event_types import check_schema
from store import event_types as store
from store.audit import record_audit
from store.event_models import EventType
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/event-types", tags=["event types"])
# Without authentication, so limited per caller address (GOUTONG_PUBLIC_RATE_LIMIT_*).
public_router = APIRouter(tags=["event types"], dependencies=[Depends(limit_public)])

TypeName = Annotated[str, Path(max_length=100)]
TenantQuery = Annotated[
    str | None, Query(max_length=64, description="Whose types (a tenant key implies its own).")
]
RESERVED_PREFIXES = ("message.status.", "message.behavior.", "callback.", "endpoint.")


def _public(row: EventType) -> EventTypePublic:
    return EventTypePublic.model_validate(
        {
            **row.model_dump(),
            "schema": row.data_schema,
            "tenant_id": row.tenant_id or None,
            "deprecated": row.deprecated_at is not None,
        }
    )


def _detail(rows: list[EventType]) -> EventTypeDetail:
    live = [r for r in rows if r.deprecated_at is None]
    return EventTypeDetail(
        name=rows[0].name,
        tenant_id=rows[0].tenant_id or None,
        current_version=(live or rows)[-1].version,
        versions=[_public(r) for r in rows],
    )


async def _write_scope(session: SessionDep, caller: Principal, requested: str | None) -> str:
    """The scope a change acts on: a tenant (its tenant_admin, or an admin naming it) or, for a
    global admin key naming no tenant, the global types."""
    if caller.tenant_id is None and requested is None:
        if not allowed(caller.role, RouteClass.ADMINISTER):
            raise Forbidden("global event types need a global admin", code="admin_required")
        return store.GLOBAL
    tenant_id = caller.resolve_tenant(requested)
    await get_tenant(session, tenant_id=tenant_id)
    return tenant_id


async def _audited(
    session: SessionDep,
    caller: Principal,
    action: str,
    scope: str,
    name: str,
    summary: dict[str, Any],
) -> None:
    await record_audit(
        session,
        actor=caller,
        action=f"event_type.{action}",
        resource=name,
        tenant_id=scope or None,
        summary=summary,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=EventTypePublic)
async def create_event_type(
    body: EventTypeCreate, caller: CanConfigure, session: SessionDep, catalogue: CatalogueDep
) -> EventTypePublic:
    """Registers a custom type (version 1): the tenant's own, or global with an admin key."""
    scope = await _write_scope(session, caller, body.tenant_id)
    if body.name.startswith(RESERVED_PREFIXES):
        raise InvalidInput(
            f"names under {', '.join(RESERVED_PREFIXES)} are kept for built-in types",
            code="event_type_name_reserved",
        )
    check_schema(body.data_schema)
    row = await store.create_event_type(
        session,
        scope=scope,
        name=body.name,
        description=body.description,
        schema=body.data_schema,
        published=body.published,
    )
    catalogue.invalidate(scope)
    await _audited(session, caller, "create", scope, body.name, {"published": body.published})
    return _public(row)


@router.get("", response_model=EventTypeList)
async def list_event_types(
    caller: CanRead,
    session: SessionDep,
    tenant: TenantQuery = None,
    include_deprecated: bool = True,
) -> EventTypeList:
    """The global types, and a tenant's own (a tenant key's, or the one a global key names)."""
    scope = caller.list_scope(tenant)
    if scope is not None:
        await get_tenant(session, tenant_id=scope)
    rows = await store.catalogue_rows(session, tenant_id=scope)
    if not include_deprecated:
        rows = [r for r in rows if r.deprecated_at is None]
    return EventTypeList(data=[_public(r) for r in rows])


@router.get("/{name}", response_model=EventTypeDetail)
async def get_event_type(
    name: TypeName, caller: CanRead, session: SessionDep, tenant: TenantQuery = None
) -> EventTypeDetail:
    rows = await store.event_type_versions(session, tenant_id=caller.list_scope(tenant), name=name)
    return _detail(rows)


@router.post(
    "/{name}/versions", status_code=status.HTTP_201_CREATED, response_model=EventTypePublic
)
async def add_event_type_version(
    name: TypeName,
    body: EventTypeVersionCreate,
    caller: CanConfigure,
    session: SessionDep,
    catalogue: CatalogueDep,
    tenant: TenantQuery = None,
) -> EventTypePublic:
    """Adds the next version; events that name no version get it from now on."""
    scope = await _write_scope(session, caller, tenant)
    check_schema(body.data_schema)
    row = await store.add_event_type_version(
        session, scope=scope, name=name, description=body.description, schema=body.data_schema
    )
    catalogue.invalidate(scope)
    await _audited(session, caller, "version", scope, name, {"version": row.version})
    return _public(row)


@router.post("/{name}/deprecate", response_model=EventTypeDetail)
async def deprecate_event_type(
    name: TypeName,
    body: EventTypeDeprecate,
    caller: CanConfigure,
    session: SessionDep,
    catalogue: CatalogueDep,
    tenant: TenantQuery = None,
) -> EventTypeDetail:
    """Flags one version (or all) deprecated; such events are still accepted."""
    scope = await _write_scope(session, caller, tenant)
    rows = await store.deprecate_event_type(session, scope=scope, name=name, version=body.version)
    catalogue.invalidate(scope)
    await _audited(session, caller, "deprecate", scope, name, {"version": body.version})
    return _detail(rows)


@router.post("/{name}/publish", response_model=EventTypeDetail)
async def publish_event_type(
    name: TypeName,
    body: EventTypePublish,
    caller: CanConfigure,
    session: SessionDep,
    tenant: TenantQuery = None,
) -> EventTypeDetail:
    """Lists the type in the public catalogue, or takes it out."""
    scope = await _write_scope(session, caller, tenant)
    rows = await store.publish_event_type(session, scope=scope, name=name, published=body.published)
    await _audited(session, caller, "publish", scope, name, {"published": body.published})
    return _detail(rows)


@public_router.get("/v1/catalog", response_model=Catalog)
async def catalog(session: SessionDep, response: Response, tenant: TenantQuery = None) -> Catalog:
    """Public, without authentication: the published types (every built-in, and the tenant's
    own that it published when ``tenant`` is given) with their schemas, for receivers."""
    rows = await store.catalogue_rows(session, tenant_id=tenant, published_only=True)
    response.headers["Cache-Control"] = "public, max-age=60"
    entries = [CatalogEntry.model_validate(_public(r).model_dump(by_alias=True)) for r in rows]
    return Catalog(tenant_id=tenant, event_types=entries)
