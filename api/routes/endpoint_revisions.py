"""An endpoint's revisions: list them, show one with its diff, roll back to one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.access import CanConfigure, CanRead
from api.deps import ControlDep, SessionDep, TargetGuardDep
from api.schemas import EndpointPublic, Page, RevisionDetail, RevisionPublic
from core.errors import Conflict
from runtime.health_checks import after_endpoint_change
from store import endpoints as store
from store.audit import record_audit
from store.endpoint_models import Endpoint, EndpointRevision
from store.revisions import (
    SNAPSHOT_FIELDS,
    get_revision,
    list_revisions,
    secret_marks,
    snapshot,
)
from store.types import utcnow

router = APIRouter(prefix="/v1/endpoints", tags=["endpoints"])

Limit = Annotated[int, Query(ge=1, le=500)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]
Cursor = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="next_cursor of a page")]


def _rollback_columns(endpoint: Endpoint, revision: EndpointRevision, actor: str) -> dict[str, Any]:
    """The revision's public configuration and receiver credentials (not the signing secret)."""
    columns = {name: revision.config[name] for name in SNAPSHOT_FIELDS if name in revision.config}
    columns.setdefault("batch", None)  # revisions from before batched delivery had none
    columns["auth_secret"] = revision.sealed_auth
    targets = columns["targets"]
    columns["url"] = store.first_enabled_url(targets)
    if columns["enabled"]:
        columns.update(disabled_reason=None, disabled_by=None, disabled_at=None)
    elif endpoint.enabled:
        columns.update(disabled_by=actor, disabled_at=utcnow())
    return columns


@router.get("/{endpoint_id}/revisions", response_model=Page[RevisionPublic])
async def list_endpoint_revisions(
    endpoint_id: str,
    caller: CanRead,
    session: SessionDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[RevisionPublic]:
    """Newest first."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    page = await list_revisions(session, endpoint_id=endpoint_id, cursor=cursor, limit=limit)
    return Page(
        data=[RevisionPublic.model_validate(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get("/{endpoint_id}/revisions/{number}", response_model=RevisionDetail)
async def get_endpoint_revision(
    endpoint_id: str, number: Number, caller: CanRead, session: SessionDep
) -> RevisionDetail:
    """The configuration after this change, and the diff against the previous revision."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    revision = await get_revision(session, endpoint_id=endpoint_id, number=number)
    return RevisionDetail.model_validate(revision)


@router.post("/{endpoint_id}/revisions/{number}/rollback", response_model=EndpointPublic)
async def rollback_endpoint(
    endpoint_id: str,
    number: Number,
    caller: CanConfigure,
    session: SessionDep,
    guard: TargetGuardDep,
    control: ControlDep,
) -> EndpointPublic:
    """Makes the endpoint as it was after revision ``number``; itself a new revision."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    revision = await get_revision(session, endpoint_id=endpoint_id, number=number)
    same_auth = secret_marks(endpoint)["auth"] == revision.secret_marks.get("auth")
    if snapshot(endpoint) == revision.config and same_auth:
        raise Conflict(
            f"the endpoint is already as revision {number} left it", code="nothing_to_roll_back"
        )
    columns = _rollback_columns(endpoint, revision, caller.subject)
    for target in columns["targets"]:
        await guard.check_url(target["url"])
    endpoint = await store.update_endpoint(
        session,
        endpoint_id=endpoint_id,
        changes=columns,
        actor=caller.subject,
        action="rollback",
        rolled_back_to=number,
    )
    await record_audit(
        session,
        actor=caller,
        action="endpoint.rollback",
        resource=endpoint_id,
        tenant_id=endpoint.tenant_id,
        summary={"to_revision": number, "revision": endpoint.revision},
    )
    await after_endpoint_change(control, endpoint)
    return EndpointPublic.model_validate(endpoint)
