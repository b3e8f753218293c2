"""Endpoint templates: named configuration defaults, per tenant or global (tenant_id None)."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.ids import new_id
from store.endpoint_models import EndpointTemplate
from store.pagination import Page, paginate, to_page
from store.types import utcnow

__all__ = [
    "create_template",
    "delete_template",
    "get_template",
    "list_templates",
    "update_template",
]


async def create_template(
    session: AsyncSession,
    *,
    tenant_id: str | None,
    name: str,
    description: str,
    config: dict[str, Any],
    actor: str,
) -> EndpointTemplate:
    template = EndpointTemplate(
        id=new_id("tpl"),
        tenant_id=tenant_id,
        name=name,
        description=description,
        config=config,
        created_by=actor[:200],
    )
    session.add(template)
    await session.commit()
    return template


async def get_template(session: AsyncSession, *, template_id: str) -> EndpointTemplate:
    template = await session.get(EndpointTemplate, template_id)
    if template is None:
        raise NotFound(f"endpoint template {template_id} not found", code="template_not_found")
    return template


async def list_templates(
    session: AsyncSession,
    *,
    tenant_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[EndpointTemplate]:
    """Every template; with ``tenant_id``, that tenant's and the global ones."""
    statement = select(EndpointTemplate)
    if tenant_id is not None:
        statement = statement.where(
            or_(
                col(EndpointTemplate.tenant_id) == tenant_id,
                col(EndpointTemplate.tenant_id).is_(None),
            )
        )
    page = paginate(statement, EndpointTemplate.id, cursor=cursor, limit=limit)
    rows = (await session.exec(page)).all()
    return to_page(list(rows), limit=limit, id_of=lambda t: t.id)


async def update_template(
    session: AsyncSession, *, template_id: str, changes: dict[str, Any]
) -> EndpointTemplate:
    """Applies ``changes`` as the template's next revision (endpoints made from it keep theirs)."""
    template = await get_template(session, template_id=template_id)
    for key, value in changes.items():
        setattr(template, key, value)
    template.revision += 1
    template.updated_at = utcnow()
    session.add(template)
    await session.commit()
    return template


async def delete_template(session: AsyncSession, *, template_id: str) -> None:
    template = await get_template(session, template_id=template_id)
    await session.delete(template)
    await session.commit()
