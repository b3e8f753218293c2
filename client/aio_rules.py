"""The asyncio client's resources on what reacts to outcomes: linkage rules, suppressions,
alert rules, alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from client import models as m
from client import operations as ops
from client.aio_base import _Resource


class LinkageRules(_Resource):
    """Follow-on rules: what a callback's outcome starts (notify, suppress, webhook, ...)."""

    async def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.LinkageRulePublic]:
        return await self._send(ops.list_linkage_rules(tenant, cursor, limit))

    def iter(
        self, *, tenant: str | None = None, limit: int = 100
    ) -> AsyncIterator[m.LinkageRulePublic]:
        return self._client.pages(lambda cursor: ops.list_linkage_rules(tenant, cursor, limit))

    async def create(
        self, body: m.LinkageRuleCreate | None = None, /, **fields: Any
    ) -> m.LinkageRuleCreated:
        rule = ops.as_model(m.LinkageRuleCreate, body, fields)
        return await self._send(ops.create_linkage_rule(rule))

    async def get(self, rule_id: str) -> m.LinkageRulePublic:
        return await self._send(ops.get_linkage_rule(rule_id))

    async def update(
        self, rule_id: str, body: m.LinkageRuleUpdate | None = None, /, **fields: Any
    ) -> m.LinkageRuleCreated:
        changes = ops.as_model(m.LinkageRuleUpdate, body, fields)
        return await self._send(ops.update_linkage_rule(rule_id, changes))

    async def delete(self, rule_id: str) -> None:
        await self._send(ops.delete_linkage_rule(rule_id))


class Suppressions(_Resource):
    """Recipients not to message any more (unsubscribes, hard bounces, by hand)."""

    async def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.SuppressionPublic]:
        return await self._send(ops.list_suppressions(tenant, cursor, limit))

    def iter(
        self, *, tenant: str | None = None, limit: int = 100
    ) -> AsyncIterator[m.SuppressionPublic]:
        return self._client.pages(lambda cursor: ops.list_suppressions(tenant, cursor, limit))

    async def add(
        self, body: m.SuppressionCreate | None = None, /, **fields: Any
    ) -> m.SuppressionPublic:
        return await self._send(
            ops.add_suppression(ops.as_model(m.SuppressionCreate, body, fields))
        )

    async def check(self, recipient: str, *, tenant: str | None = None) -> m.SuppressionCheck:
        return await self._send(ops.check_suppression(recipient, tenant))

    async def remove(self, suppression_id: str) -> None:
        await self._send(ops.remove_suppression(suppression_id))


class AlertRules(_Resource):
    """Conditions on a tenant's endpoints that raise alerts (docs/operations.md#alerts)."""

    async def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.AlertRulePublic]:
        return await self._send(ops.list_alert_rules(tenant, cursor, limit))

    def iter(
        self, *, tenant: str | None = None, limit: int = 100
    ) -> AsyncIterator[m.AlertRulePublic]:
        return self._client.pages(lambda cursor: ops.list_alert_rules(tenant, cursor, limit))

    async def create(
        self, body: m.AlertRuleCreate | None = None, /, **fields: Any
    ) -> m.AlertRuleCreated:
        rule = ops.as_model(m.AlertRuleCreate, body, fields)
        return await self._send(ops.create_alert_rule(rule))

    async def get(self, rule_id: str) -> m.AlertRulePublic:
        return await self._send(ops.get_alert_rule(rule_id))

    async def update(
        self, rule_id: str, body: m.AlertRuleUpdate | None = None, /, **fields: Any
    ) -> m.AlertRuleCreated:
        changes = ops.as_model(m.AlertRuleUpdate, body, fields)
        return await self._send(ops.update_alert_rule(rule_id, changes))

    async def delete(self, rule_id: str) -> None:
        await self._send(ops.delete_alert_rule(rule_id))


class Alerts(_Resource):
    """What the alert rules and escalate follow-ons raised, firing or resolved."""

    async def list(
        self, *, cursor: str | None = None, limit: int = 50, **filters: Any
    ) -> m.Page[m.AlertPublic]:
        """``filters``: tenant, state (firing, resolved), rule, endpoint, kind, since, until."""
        return await self._send(ops.list_alerts(ops.AlertFilters(**filters), cursor, limit))

    def iter(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[m.AlertPublic]:
        chosen = ops.AlertFilters(**filters)
        return self._client.pages(lambda cursor: ops.list_alerts(chosen, cursor, limit))

    async def get(self, alert_id: str) -> m.AlertPublic:
        return await self._send(ops.get_alert(alert_id))
