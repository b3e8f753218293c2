"""The blocking client's resources on what reacts to outcomes: linkage rules, suppressions,
alert rules, alerts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from client import models as m
from client import operations as ops
from client.sync_base import _Resource


class LinkageRules(_Resource):
    """Follow-on rules: what a callback's outcome starts (notify, suppress, webhook, ...)."""

    def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.LinkageRulePublic]:
        return self._send(ops.list_linkage_rules(tenant, cursor, limit))

    def iter(self, *, tenant: str | None = None, limit: int = 100) -> Iterator[m.LinkageRulePublic]:
        return self._client.pages(lambda cursor: ops.list_linkage_rules(tenant, cursor, limit))

    def create(
        self, body: m.LinkageRuleCreate | None = None, /, **fields: Any
    ) -> m.LinkageRuleCreated:
        rule = ops.as_model(m.LinkageRuleCreate, body, fields)
        return self._send(ops.create_linkage_rule(rule))

    def get(self, rule_id: str) -> m.LinkageRulePublic:
        return self._send(ops.get_linkage_rule(rule_id))

    def update(
        self, rule_id: str, body: m.LinkageRuleUpdate | None = None, /, **fields: Any
    ) -> m.LinkageRuleCreated:
        changes = ops.as_model(m.LinkageRuleUpdate, body, fields)
        return self._send(ops.update_linkage_rule(rule_id, changes))

    def delete(self, rule_id: str) -> None:
        self._send(ops.delete_linkage_rule(rule_id))


class Suppressions(_Resource):
    """Recipients not to message any more (unsubscribes, hard bounces, by hand)."""

    def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.SuppressionPublic]:
        return self._send(ops.list_suppressions(tenant, cursor, limit))

    def iter(self, *, tenant: str | None = None, limit: int = 100) -> Iterator[m.SuppressionPublic]:
        return self._client.pages(lambda cursor: ops.list_suppressions(tenant, cursor, limit))

    def add(self, body: m.SuppressionCreate | None = None, /, **fields: Any) -> m.SuppressionPublic:
        return self._send(ops.add_suppression(ops.as_model(m.SuppressionCreate, body, fields)))

    def check(self, recipient: str, *, tenant: str | None = None) -> m.SuppressionCheck:
        return self._send(ops.check_suppression(recipient, tenant))

    def remove(self, suppression_id: str) -> None:
        self._send(ops.remove_suppression(suppression_id))


class AlertRules(_Resource):
    """Conditions on a tenant's endpoints that raise alerts (docs/operations.md#alerts)."""

    def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.AlertRulePublic]:
        return self._send(ops.list_alert_rules(tenant, cursor, limit))

    def iter(self, *, tenant: str | None = None, limit: int = 100) -> Iterator[m.AlertRulePublic]:
        return self._client.pages(lambda cursor: ops.list_alert_rules(tenant, cursor, limit))

    def create(self, body: m.AlertRuleCreate | None = None, /, **fields: Any) -> m.AlertRuleCreated:
        return self._send(ops.create_alert_rule(ops.as_model(m.AlertRuleCreate, body, fields)))

    def get(self, rule_id: str) -> m.AlertRulePublic:
        return self._send(ops.get_alert_rule(rule_id))

    def update(
        self, rule_id: str, body: m.AlertRuleUpdate | None = None, /, **fields: Any
    ) -> m.AlertRuleCreated:
        changes = ops.as_model(m.AlertRuleUpdate, body, fields)
        return self._send(ops.update_alert_rule(rule_id, changes))

    def delete(self, rule_id: str) -> None:
        self._send(ops.delete_alert_rule(rule_id))


class Alerts(_Resource):
    """What the alert rules and escalate follow-ons raised, firing or resolved."""

    def list(
        self, *, cursor: str | None = None, limit: int = 50, **filters: Any
    ) -> m.Page[m.AlertPublic]:
        """``filters``: tenant, state (firing, resolved), rule, endpoint, kind, since, until."""
        return self._send(ops.list_alerts(ops.AlertFilters(**filters), cursor, limit))

    def iter(self, *, limit: int = 100, **filters: Any) -> Iterator[m.AlertPublic]:
        chosen = ops.AlertFilters(**filters)
        return self._client.pages(lambda cursor: ops.list_alerts(chosen, cursor, limit))

    def get(self, alert_id: str) -> m.AlertPublic:
        return self._send(ops.get_alert(alert_id))
