"""Linkage rules: a tenant's follow-ons, and the ones a callback carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.callback_contracts import FollowOnSpec
from core.errors import NotFound
from core.ids import new_id
from core.linkage import RuleView, follow_ons_for
from store.event_models import Callback, Event
from store.linkage_models import LinkageRule
from store.pagination import Page, paginate, to_page
from store.types import utcnow

__all__ = [
    "callback_follow_ons",
    "create_rule",
    "delete_rule",
    "enabled_rules",
    "get_rule",
    "list_rules",
    "rule_view",
    "update_rule",
]


async def create_rule(session: AsyncSession, *, tenant_id: str, **fields: Any) -> LinkageRule:
    rule = LinkageRule(id=new_id("lr"), tenant_id=tenant_id, **fields)
    session.add(rule)
    await session.commit()
    return rule


async def get_rule(session: AsyncSession, *, rule_id: str) -> LinkageRule:
    rule = await session.get(LinkageRule, rule_id)
    if rule is None:
        raise NotFound(f"linkage rule {rule_id} not found", code="linkage_rule_not_found")
    return rule


async def list_rules(
    session: AsyncSession, *, tenant_id: str | None, cursor: str | None = None, limit: int = 50
) -> Page[LinkageRule]:
    statement = select(LinkageRule)
    if tenant_id is not None:
        statement = statement.where(LinkageRule.tenant_id == tenant_id)
    rows = (
        await session.exec(paginate(statement, LinkageRule.id, cursor=cursor, limit=limit))
    ).all()
    return to_page(list(rows), limit=limit, id_of=lambda r: r.id)


async def update_rule(
    session: AsyncSession, *, rule_id: str, changes: dict[str, Any]
) -> LinkageRule:
    rule = await get_rule(session, rule_id=rule_id)
    for key, value in changes.items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    session.add(rule)
    await session.commit()
    return rule


async def delete_rule(session: AsyncSession, *, rule_id: str) -> None:
    await session.delete(await get_rule(session, rule_id=rule_id))
    await session.commit()


def rule_view(rule: LinkageRule) -> RuleView:
    filters, action = rule.filter, rule.action
    return RuleView(
        id=rule.id,
        kind=str(action.get("kind", "")),
        triggers=list(rule.triggers),
        event_types=list(filters.get("event_types") or []),
        channels=list(filters.get("channels") or []),
        endpoint_ids=list(filters.get("endpoint_ids") or []),
        data={k: list(v) for k, v in (filters.get("data") or {}).items()},
        workflow_type=action.get("workflow_type"),
        task_queue=action.get("task_queue"),
    )


async def enabled_rules(session: AsyncSession, *, tenant_id: str) -> list[RuleView]:
    statement = select(LinkageRule).where(
        LinkageRule.tenant_id == tenant_id,
        LinkageRule.enabled == True,  # noqa: E712
    )
    return [rule_view(r) for r in (await session.exec(statement.order_by(LinkageRule.id))).all()]


async def callback_follow_ons(
    session: AsyncSession, *, callbacks: Sequence[Callback], events: dict[str, Event]
) -> dict[str, list[FollowOnSpec]]:
    """The follow-ons of each callback, by callback id, from its tenant's enabled rules now."""
    rules: dict[str, list[RuleView]] = {}
    found: dict[str, list[FollowOnSpec]] = {}
    for callback in callbacks:
        if callback.tenant_id not in rules:
            rules[callback.tenant_id] = await enabled_rules(session, tenant_id=callback.tenant_id)
        event = events.get(callback.event_id) or await session.get(Event, callback.event_id)
        if event is None or not rules[callback.tenant_id]:
            continue
        channel = event.data.get("channel")
        found[callback.id] = follow_ons_for(
            rules[callback.tenant_id],
            event_type=event.type,
            channel=channel.get("type") if isinstance(channel, dict) else None,
            endpoint_id=callback.endpoint_id,
            data=event.data,
        )
    return found
