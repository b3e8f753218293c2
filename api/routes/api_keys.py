"""API keys: create (shown once), list, revoke; a tenant_admin manages its own tenant's keys."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.access import CanConfigure
from api.deps import SessionDep
from api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from core.errors import Forbidden, InvalidInput, NotFound
from store import api_keys as store
from store.audit import record_audit
from store.tenants import get_tenant
from store.types import utcnow

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
async def create_api_key(
    body: ApiKeyCreate, caller: CanConfigure, session: SessionDep
) -> ApiKeyCreated:
    """Admin and tenant_admin keys are tenant-bound and global respectively; others either."""
    if caller.tenant_id is not None:
        if body.role == "admin":
            raise Forbidden("only a global admin creates admin keys", code="admin_required")
        tenant_id: str | None = caller.resolve_tenant(body.tenant_id)
    else:
        tenant_id = body.tenant_id
    if body.role == "admin" and tenant_id is not None:
        raise InvalidInput("an admin key is global; drop tenant_id", code="invalid_key_scope")
    if body.role == "tenant_admin" and tenant_id is None:
        raise InvalidInput("a tenant_admin key needs a tenant_id", code="invalid_key_scope")
    if tenant_id is not None:
        await get_tenant(session, tenant_id=tenant_id)
    if body.expires_at is not None and body.expires_at <= utcnow():
        raise InvalidInput("expires_at is in the past", code="invalid_expiry")
    key, plain = await store.create_api_key(
        session,
        role=body.role,
        tenant_id=tenant_id,
        name=body.name,
        terms=store.KeyTerms(
            allowed_cidrs=body.allowed_cidrs,
            expires_at=body.expires_at,
            rate_limit_per_second=body.rate_limit_per_second,
            rate_limit_burst=body.rate_limit_burst,
        ),
    )
    await record_audit(
        session,
        actor=caller,
        action="api_key.create",
        resource=key.id,
        tenant_id=key.tenant_id,
        summary={
            "name": key.name,
            "role": key.role,
            "hint": key.hint,
            "allowed_cidrs": key.allowed_cidrs,
            "expires_at": key.expires_at.isoformat() if key.expires_at else None,
            "rate_limit": [key.rate_limit_per_second, key.rate_limit_burst],
        },
    )
    return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=plain)


@router.get("", response_model=list[ApiKeyPublic])
async def list_api_keys(caller: CanConfigure, session: SessionDep) -> list[ApiKeyPublic]:
    """The keys not revoked (a tenant_admin: its tenant's)."""
    keys = await store.list_api_keys(session, tenant_id=caller.tenant_id)
    return [ApiKeyPublic.model_validate(k) for k in keys]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: str, caller: CanConfigure, session: SessionDep) -> None:
    key = await store.get_api_key(session, key_id=key_id)
    if key is None or (caller.tenant_id is not None and key.tenant_id != caller.tenant_id):
        raise NotFound(f"api key {key_id} not found", code="api_key_not_found")
    await store.revoke_api_key(session, key_id=key_id)
    await record_audit(
        session,
        actor=caller,
        action="api_key.revoke",
        resource=key_id,
        tenant_id=key.tenant_id,
        summary={"name": key.name, "role": key.role},
    )
