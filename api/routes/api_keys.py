"""API keys: create (shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import CallerDep, SessionDep
from api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from core.errors import InvalidInput, NotFound
from store import api_keys as store
from store.audit import record_audit
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
async def create_api_key(
    body: ApiKeyCreate, caller: CallerDep, session: SessionDep
) -> ApiKeyCreated:
    caller.require_admin()
    if body.role == "admin" and body.tenant_id is not None:
        raise InvalidInput("an admin key is global; drop tenant_id", code="invalid_key_scope")
    if body.role != "admin":
        if body.tenant_id is None:
            raise InvalidInput(f"a {body.role} key needs a tenant_id", code="invalid_key_scope")
        await get_tenant(session, tenant_id=body.tenant_id)
    key, plain = await store.create_api_key(
        session, role=body.role, tenant_id=body.tenant_id, name=body.name
    )
    await record_audit(
        session,
        actor=caller,
        action="api_key.create",
        resource=key.id,
        tenant_id=key.tenant_id,
        summary={"name": key.name, "role": key.role, "hint": key.hint},
    )
    return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=plain)


@router.get("", response_model=list[ApiKeyPublic])
async def list_api_keys(caller: CallerDep, session: SessionDep) -> list[ApiKeyPublic]:
    caller.require_admin()
    return [ApiKeyPublic.model_validate(k) for k in await store.list_api_keys(session)]


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: str, caller: CallerDep, session: SessionDep) -> None:
    caller.require_admin()
    key = await store.revoke_api_key(session, key_id=key_id)
    if key is None:
        raise NotFound(f"api key {key_id} not found", code="api_key_not_found")
    await record_audit(
        session,
        actor=caller,
        action="api_key.revoke",
        resource=key_id,
        tenant_id=key.tenant_id,
        summary={"name": key.name, "role": key.role},
    )
