"""The audit log: every configuration change and manual intervention, with secrets masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ids import new_id
from core.masking import mask_value
from store.pagination import Page, paginate, to_page
from store.tenant_models import AuditEntry

__all__ = ["Actor", "changes_of", "list_audit", "record_audit"]


class Actor(Protocol):
    """Who acted (``api.auth.Principal`` is one): subject, how they authenticated, role, address."""

    @property
    def subject(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def address(self) -> str | None: ...


async def record_audit(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    resource: str,
    tenant_id: str | None,
    summary: dict[str, Any] | None = None,
) -> AuditEntry:
    """Stores one entry (``action`` like ``endpoint.update``); secrets in ``summary`` are masked."""
    entry = AuditEntry(
        id=new_id("aud"),
        actor=actor.subject[:200],
        actor_kind=actor.method,
        role=actor.role,
        address=actor.address,
        tenant_id=tenant_id,
        action=action,
        resource=resource[:200],
        summary=mask_value(summary or {}),
    )
    session.add(entry)
    await session.commit()
    return entry


def changes_of(before: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """``{"field": {"from": old, "to": new}}`` for each field whose value really changes."""
    diff: dict[str, Any] = {}
    for name, new in changes.items():
        old = getattr(before, name, None)
        if old != new:
            diff[name] = {"from": old, "to": new}
    return {"changes": diff}


async def list_audit(
    session: AsyncSession,
    *,
    tenant_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    resource: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    """Newest first; ``action`` matches exactly or as a prefix ending in a dot (``endpoint.``)."""
    statement = select(AuditEntry)
    if tenant_id is not None:
        statement = statement.where(AuditEntry.tenant_id == tenant_id)
    if actor is not None:
        statement = statement.where(AuditEntry.actor == actor)
    if action is not None:
        if action.endswith("."):
            statement = statement.where(col(AuditEntry.action).startswith(action, autoescape=True))
        else:
            statement = statement.where(AuditEntry.action == action)
    if resource is not None:
        statement = statement.where(AuditEntry.resource == resource)
    if since is not None:
        statement = statement.where(col(AuditEntry.at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEntry.at) < until)
    rows = (
        await session.exec(paginate(statement, AuditEntry.id, cursor=cursor, limit=limit))
    ).all()
    return to_page(list(rows), limit=limit, id_of=lambda e: e.id)
