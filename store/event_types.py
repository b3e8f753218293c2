"""The event type catalogue: global and tenant types, each a list of immutable versions.

A type is global when its ``tenant_id`` is ``""`` (``GLOBAL``); a tenant sees the global types
and its own, and a name is unique across both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.errors import Conflict, Forbidden, NotFound
from core.ids import new_id
from store.event_models import EventType
from store.types import utcnow

__all__ = [
    "GLOBAL",
    "add_event_type_version",
    "catalogue_rows",
    "create_event_type",
    "deprecate_event_type",
    "event_type_versions",
    "publish_event_type",
    "seed_builtin_event_types",
]

GLOBAL = ""


def _visible(tenant_id: str | None) -> Any:
    scopes = [GLOBAL] if tenant_id is None else [GLOBAL, tenant_id]
    return col(EventType.tenant_id).in_(scopes)


async def catalogue_rows(
    session: AsyncSession, *, tenant_id: str | None, published_only: bool = False
) -> list[EventType]:
    """Every version visible to a tenant (or only the global ones), by name then version."""
    statement = select(EventType).where(_visible(tenant_id))
    if published_only:
        statement = statement.where(EventType.published == True)  # noqa: E712
    statement = statement.order_by(col(EventType.name), col(EventType.version))
    return list((await session.exec(statement)).all())


async def event_type_versions(
    session: AsyncSession, *, tenant_id: str | None, name: str
) -> list[EventType]:
    """The versions of one type a tenant sees (its own or a global one), oldest first."""
    statement = (
        select(EventType)
        .where(_visible(tenant_id), EventType.name == name)
        .order_by(col(EventType.version))
    )
    rows = list((await session.exec(statement)).all())
    if not rows:
        raise NotFound(f"event type {name} not found", code="event_type_not_found")
    return rows


async def _name_taken(session: AsyncSession, *, scope: str, name: str) -> bool:
    statement = select(EventType.id).where(EventType.name == name)
    if scope != GLOBAL:  # a tenant type may not shadow a global one (nor one of its own)
        statement = statement.where(col(EventType.tenant_id).in_([GLOBAL, scope]))
    return (await session.exec(statement.limit(1))).first() is not None


async def _insert(session: AsyncSession, row: EventType) -> EventType:
    session.add(row)
    try:
        await session.commit()
    except IntegrityError:  # someone else wrote this name and version a moment ago
        await session.rollback()
        raise Conflict(
            f"event type {row.name} version {row.version} was just created by another request",
            code="event_type_exists",
        ) from None
    await session.refresh(row)
    return row


async def create_event_type(
    session: AsyncSession,
    *,
    scope: str,
    name: str,
    description: str,
    schema: dict[str, Any],
    published: bool,
) -> EventType:
    """Version 1 of a new type; global when ``scope`` is ``GLOBAL``, else the tenant's."""
    if await _name_taken(session, scope=scope, name=name):
        raise Conflict(f"event type {name} already exists", code="event_type_exists")
    row = EventType(
        id=new_id("etp"),
        tenant_id=scope,
        name=name,
        version=1,
        description=description,
        data_schema=schema,
        published=published,
    )
    return await _insert(session, row)


def _owned(rows: Sequence[EventType], scope: str) -> None:
    if rows[0].builtin:
        raise Forbidden(
            f"{rows[0].name} is built in; it changes with releases", code="event_type_builtin"
        )
    if rows[0].tenant_id != scope:
        raise Forbidden(
            f"{rows[0].name} is a global type; only a global admin key changes it",
            code="admin_required",
        )


async def add_event_type_version(
    session: AsyncSession,
    *,
    scope: str,
    name: str,
    description: str | None,
    schema: dict[str, Any],
) -> EventType:
    """The next version of a type; the description carries over unless a new one is given."""
    rows = await event_type_versions(session, tenant_id=scope or None, name=name)
    _owned(rows, scope)
    latest = rows[-1]
    row = EventType(
        id=new_id("etp"),
        tenant_id=scope,
        name=name,
        version=latest.version + 1,
        description=latest.description if description is None else description,
        data_schema=schema,
        published=latest.published,
    )
    return await _insert(session, row)


async def _update(session: AsyncSession, rows: Sequence[EventType]) -> list[EventType]:
    for row in rows:
        session.add(row)
    await session.commit()
    for row in rows:
        await session.refresh(row)
    return list(rows)


async def deprecate_event_type(
    session: AsyncSession, *, scope: str, name: str, version: int | None
) -> list[EventType]:
    """Marks one version, or every version, deprecated (still accepted, flagged in listings)."""
    rows = await event_type_versions(session, tenant_id=scope or None, name=name)
    _owned(rows, scope)
    chosen = [r for r in rows if version is None or r.version == version]
    if not chosen:
        raise NotFound(f"{name} has no version {version}", code="event_type_version_not_found")
    now = utcnow()
    for row in chosen:
        row.deprecated_at = row.deprecated_at or now
    await _update(session, chosen)
    return rows


async def publish_event_type(
    session: AsyncSession, *, scope: str, name: str, published: bool
) -> list[EventType]:
    """Shows every version of a type in the public catalogue, or hides it."""
    rows = await event_type_versions(session, tenant_id=scope or None, name=name)
    _owned(rows, scope)
    for row in rows:
        row.published = published
    return await _update(session, rows)


async def seed_builtin_event_types(session: AsyncSession) -> int:
    """Inserts or refreshes the built-in types (idempotent); returns how many rows changed."""
    statement = select(EventType).where(EventType.tenant_id == GLOBAL, EventType.builtin == True)  # noqa: E712
    stored = {(r.name, r.version): r for r in (await session.exec(statement)).all()}
    changed = 0
    for builtin in BUILTIN_EVENT_TYPES:
        row = stored.get((builtin.name, builtin.version))
        if row is None:
            row = EventType(
                id=new_id("etp"),
                tenant_id=GLOBAL,
                name=builtin.name,
                version=builtin.version,
                builtin=True,
                published=True,
            )
        elif row.description == builtin.description and row.data_schema == builtin.schema:
            continue
        row.description = builtin.description
        row.data_schema = builtin.schema
        session.add(row)
        changed += 1
    if changed:
        await session.commit()
    return changed
