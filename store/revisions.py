"""Endpoint revisions: every change of an endpoint, with who, when, what it became and the diff."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config_diff import config_diff
from core.errors import Conflict, NotFound
from core.ids import new_id
from store.endpoint_models import Endpoint, EndpointRevision
from store.pagination import Page

__all__ = [
    "SNAPSHOT_FIELDS",
    "add_revision",
    "commit_revision",
    "delete_revisions",
    "get_revision",
    "latest_revision",
    "list_revisions",
    "record_revision",
    "secret_marks",
    "snapshot",
]

SNAPSHOT_FIELDS = (
    "name",
    "targets",
    "protocol",
    "payload_format",
    "balancing",
    "event_types",
    "channels",
    "headers",
    "auth",
    "timeout_seconds",
    "retry",
    "rate_limit",
    "max_in_flight",
    "batch",
    "health_check",
    "enabled",
    "disabled_reason",
)
"""The public configuration a revision records (and a rollback restores)."""


def snapshot(endpoint: Endpoint) -> dict[str, Any]:
    return {name: copy.deepcopy(getattr(endpoint, name)) for name in SNAPSHOT_FIELDS}


def _mark(sealed: str | None) -> str | None:
    return hashlib.sha256(sealed.encode()).hexdigest()[:24] if sealed else None


def secret_marks(endpoint: Endpoint) -> dict[str, str | None]:
    """Digests of the sealed secrets (fresh nonce per seal): equal marks = unchanged secret."""
    return {"signing_secret": _mark(endpoint.secret), "auth": _mark(endpoint.auth_secret)}


async def latest_revision(session: AsyncSession, *, endpoint_id: str) -> EndpointRevision | None:
    statement = select(EndpointRevision).where(EndpointRevision.endpoint_id == endpoint_id)
    statement = statement.order_by(col(EndpointRevision.number).desc()).limit(1)
    return (await session.exec(statement)).first()


def add_revision(
    session: AsyncSession,
    endpoint: Endpoint,
    *,
    action: str,
    actor: str,
    previous: EndpointRevision | None,
    rolled_back_to: int | None = None,
) -> EndpointRevision:
    """Adds (without committing) the revision of the endpoint as it is now."""
    config, marks = snapshot(endpoint), secret_marks(endpoint)
    changes = config_diff(
        previous.config if previous else {},
        config,
        old_secrets=previous.secret_marks if previous else {},
        new_secrets=marks,
    )
    endpoint.revision = (previous.number if previous else 0) + 1
    revision = EndpointRevision(
        id=new_id("rev"),
        endpoint_id=endpoint.id,
        tenant_id=endpoint.tenant_id,
        number=endpoint.revision,
        action=action,
        actor=actor[:200],
        config=config,
        changes=changes,
        secret_marks=marks,
        sealed_auth=endpoint.auth_secret,
        rolled_back_to=rolled_back_to,
    )
    session.add(revision)
    session.add(endpoint)
    return revision


async def commit_revision(session: AsyncSession) -> None:
    """Commits an endpoint change with its revision; a concurrent change of the same endpoint
    took the number first: 409, read it again and retry."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            "the endpoint changed at the same time; read it again and retry",
            code="concurrent_change",
        ) from exc


async def record_revision(
    session: AsyncSession, *, endpoint_id: str, action: str, actor: str, tries: int = 3
) -> EndpointRevision | None:
    """Records a change made outside the API (the engine's auto-disable) as a revision;
    None when the endpoint is gone."""
    for attempt in range(tries):
        endpoint = await session.get(Endpoint, endpoint_id, populate_existing=True)
        if endpoint is None:
            return None
        previous = await latest_revision(session, endpoint_id=endpoint_id)
        revision = add_revision(session, endpoint, action=action, actor=actor, previous=previous)
        try:
            await commit_revision(session)
            return revision
        except Conflict:
            if attempt == tries - 1:
                raise
    return None


async def get_revision(session: AsyncSession, *, endpoint_id: str, number: int) -> EndpointRevision:
    statement = select(EndpointRevision).where(
        EndpointRevision.endpoint_id == endpoint_id, EndpointRevision.number == number
    )
    revision = (await session.exec(statement)).first()
    if revision is None:
        raise NotFound(
            f"endpoint {endpoint_id} has no revision {number}", code="revision_not_found"
        )
    return revision


async def list_revisions(
    session: AsyncSession, *, endpoint_id: str, cursor: int | None = None, limit: int = 50
) -> Page[EndpointRevision]:
    """Newest first; ``cursor`` is the number the previous page ended with."""
    statement = select(EndpointRevision).where(EndpointRevision.endpoint_id == endpoint_id)
    if cursor is not None:
        statement = statement.where(EndpointRevision.number < cursor)
    statement = statement.order_by(col(EndpointRevision.number).desc()).limit(limit + 1)
    rows = list((await session.exec(statement)).all())
    if len(rows) > limit:
        return Page(items=rows[:limit], next_cursor=str(rows[limit - 1].number))
    return Page(items=rows, next_cursor=None)


async def delete_revisions(session: AsyncSession, *, endpoint_id: str) -> None:
    """Adds (without committing) the removal of an endpoint's revisions."""
    await session.exec(  # type: ignore[call-overload]
        delete(EndpointRevision).where(col(EndpointRevision.endpoint_id) == endpoint_id)
    )
