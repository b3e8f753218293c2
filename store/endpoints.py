"""Endpoints: a tenant's callback destinations with filters, secret and policies."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.delivery_contracts import BatchSpec, DeliveryTarget, EndpointDeliverySpec, RateLimitSpec
from core.errors import NotFound
from core.ids import new_id
from core.routing import endpoint_matches
from store.endpoint_models import Endpoint
from store.pagination import Page, paginate, to_page
from store.revisions import add_revision, commit_revision, delete_revisions, latest_revision
from store.tenant_models import Tenant
from store.types import utcnow

__all__ = [
    "auth_context",
    "create_endpoint",
    "delete_endpoint",
    "delivery_spec",
    "enabled_endpoints_of",
    "first_enabled_url",
    "get_endpoint",
    "list_endpoints",
    "matching_endpoints",
    "update_endpoint",
]


def auth_context(endpoint_id: str) -> str:
    """The associated data that binds a sealed receiver credential to its endpoint."""
    return f"{endpoint_id}:auth"


def first_enabled_url(targets: list[dict[str, Any]]) -> str:
    """The URL reads show as ``url`` (callbacks are balanced over every enabled target)."""
    return next((t["url"] for t in targets if t.get("enabled", True)), targets[0]["url"])


def delivery_spec(endpoint: Endpoint) -> EndpointDeliverySpec:
    """What the delivery engine reads of an endpoint (rows from before targets: one target)."""
    targets = endpoint.targets or [{"url": endpoint.url}]
    balancing = endpoint.balancing or {}
    limit = endpoint.rate_limit
    return EndpointDeliverySpec(
        endpoint_id=endpoint.id,
        protocol=endpoint.protocol,
        payload_format=endpoint.payload_format,
        targets=[DeliveryTarget(**t) for t in targets],
        strategy=balancing.get("strategy", "round_robin"),
        hash_key=balancing.get("hash_key", "message_id"),
        auth_type=(endpoint.auth or {}).get("type", "none"),
        rate_limit=RateLimitSpec(**limit) if limit else None,
        max_in_flight=endpoint.max_in_flight,
        batch=BatchSpec(**endpoint.batch) if endpoint.batch else None,
    )


async def create_endpoint(
    session: AsyncSession,
    *,
    tenant_id: str,
    actor: str,
    endpoint_id: str | None = None,
    **fields: Any,
) -> Endpoint:
    """Creates the endpoint with its revision 1."""
    endpoint = Endpoint(id=endpoint_id or new_id("ep"), tenant_id=tenant_id, **fields)
    session.add(endpoint)
    add_revision(session, endpoint, action="create", actor=actor, previous=None)
    await commit_revision(session)
    return endpoint


async def get_endpoint(session: AsyncSession, *, endpoint_id: str) -> Endpoint:
    endpoint = await session.get(Endpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"endpoint {endpoint_id} not found", code="endpoint_not_found")
    return endpoint


async def list_endpoints(
    session: AsyncSession,
    *,
    tenant_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Endpoint]:
    statement = select(Endpoint)
    if tenant_id is not None:
        statement = statement.where(Endpoint.tenant_id == tenant_id)
    rows = (await session.exec(paginate(statement, Endpoint.id, cursor=cursor, limit=limit))).all()
    return to_page(list(rows), limit=limit, id_of=lambda e: e.id)


async def update_endpoint(
    session: AsyncSession,
    *,
    endpoint_id: str,
    changes: dict[str, Any],
    actor: str,
    action: str = "update",
    rolled_back_to: int | None = None,
) -> Endpoint:
    """Applies ``changes`` and records them as a new revision (after a "baseline" revision of
    the state before, for an endpoint created before revisions existed)."""
    endpoint = await get_endpoint(session, endpoint_id=endpoint_id)
    previous = await latest_revision(session, endpoint_id=endpoint_id)
    if previous is None:
        previous = add_revision(session, endpoint, action="baseline", actor="", previous=None)
    for key, value in changes.items():
        setattr(endpoint, key, value)
    endpoint.updated_at = utcnow()
    add_revision(
        session,
        endpoint,
        action=action,
        actor=actor,
        previous=previous,
        rolled_back_to=rolled_back_to,
    )
    await commit_revision(session)
    return endpoint


async def delete_endpoint(session: AsyncSession, *, endpoint_id: str) -> None:
    endpoint = await get_endpoint(session, endpoint_id=endpoint_id)
    await delete_revisions(session, endpoint_id=endpoint_id)
    await session.delete(endpoint)
    await session.commit()


async def enabled_endpoints_of(
    session: AsyncSession, *, tenant_ids: list[str]
) -> dict[str, list[Endpoint]]:
    """Each tenant's enabled endpoints (by id), in one query that also proves the tenants exist:
    ``NotFound`` (``tenant_not_found``) names the first one that does not."""
    statement = (
        select(Tenant.id, Endpoint)
        .outerjoin(Endpoint, (Endpoint.tenant_id == Tenant.id) & (Endpoint.enabled == True))  # type: ignore[arg-type]  # noqa: E712
        .where(col(Tenant.id).in_(tenant_ids))
        .order_by(Endpoint.id)  # type: ignore[arg-type]
    )
    found: dict[str, list[Endpoint]] = {}
    for tenant_id, endpoint in (await session.exec(statement)).all():
        endpoints = found.setdefault(tenant_id, [])
        if endpoint is not None:
            endpoints.append(endpoint)
    for tenant_id in tenant_ids:
        if tenant_id not in found:
            raise NotFound(f"tenant {tenant_id} not found", code="tenant_not_found")
    return found


async def matching_endpoints(
    session: AsyncSession, *, tenant_id: str, event_type: str, channel: str | None
) -> list[Endpoint]:
    """The tenant's enabled endpoints whose filters let this event through."""
    statement = select(Endpoint).where(Endpoint.tenant_id == tenant_id, Endpoint.enabled == True)  # noqa: E712
    rows = (await session.exec(statement.order_by(Endpoint.id))).all()
    return [e for e in rows if endpoint_matches(e.event_types, e.channels, event_type, channel)]
