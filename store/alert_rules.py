"""Alert rules: a tenant's conditions on its endpoints."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.ids import new_id
from store.alert_models import AlertRule
from store.pagination import Page, paginate, to_page
from store.types import utcnow

__all__ = [
    "create_alert_rule",
    "delete_alert_rule",
    "enabled_alert_rules",
    "get_alert_rule",
    "list_alert_rules",
    "update_alert_rule",
]


async def create_alert_rule(session: AsyncSession, *, tenant_id: str, **fields: Any) -> AlertRule:
    rule = AlertRule(id=new_id("ar"), tenant_id=tenant_id, **fields)
    session.add(rule)
    await session.commit()
    return rule


async def get_alert_rule(session: AsyncSession, *, rule_id: str) -> AlertRule:
    rule = await session.get(AlertRule, rule_id)
    if rule is None:
        raise NotFound(f"alert rule {rule_id} not found", code="alert_rule_not_found")
    return rule


async def list_alert_rules(
    session: AsyncSession, *, tenant_id: str | None, cursor: str | None = None, limit: int = 50
) -> Page[AlertRule]:
    statement = select(AlertRule)
    if tenant_id is not None:
        statement = statement.where(AlertRule.tenant_id == tenant_id)
    rows = (await session.exec(paginate(statement, AlertRule.id, cursor=cursor, limit=limit))).all()
    return to_page(list(rows), limit=limit, id_of=lambda r: r.id)


async def update_alert_rule(
    session: AsyncSession, *, rule_id: str, changes: dict[str, Any]
) -> AlertRule:
    rule = await get_alert_rule(session, rule_id=rule_id)
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    session.add(rule)
    await session.commit()
    return rule


async def delete_alert_rule(session: AsyncSession, *, rule_id: str) -> None:
    await session.delete(await get_alert_rule(session, rule_id=rule_id))
    await session.commit()


async def enabled_alert_rules(session: AsyncSession) -> list[AlertRule]:
    """Every enabled rule of every tenant (the evaluator's work list)."""
    statement = select(AlertRule).where(AlertRule.enabled == True)  # noqa: E712
    return list((await session.exec(statement.order_by(AlertRule.id))).all())
