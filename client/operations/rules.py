"""The operations on what reacts to outcomes: linkage rules, suppressions, alert rules, alerts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Literal

from client import models as m
from client.call import Call
from client.operations._shared import _body, _page

# --- linkage rules and suppressions -------------------------------------------------------------


def list_linkage_rules(
    tenant: str | None = None, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.LinkageRulePublic]]:
    return _page("/v1/linkage-rules", m.LinkageRulePublic, cursor, limit, tenant=tenant)


def create_linkage_rule(body: m.LinkageRuleCreate) -> Call[m.LinkageRuleCreated]:
    return Call("POST", "/v1/linkage-rules", m.LinkageRuleCreated, json=_body(body))


def get_linkage_rule(rule_id: str) -> Call[m.LinkageRulePublic]:
    return Call("GET", f"/v1/linkage-rules/{rule_id}", m.LinkageRulePublic)


def update_linkage_rule(rule_id: str, body: m.LinkageRuleUpdate) -> Call[m.LinkageRuleCreated]:
    path = f"/v1/linkage-rules/{rule_id}"
    return Call("PATCH", path, m.LinkageRuleCreated, json=_body(body))


def delete_linkage_rule(rule_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/linkage-rules/{rule_id}")


def list_suppressions(
    tenant: str | None = None, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.SuppressionPublic]]:
    return _page("/v1/suppressions", m.SuppressionPublic, cursor, limit, tenant=tenant)


def add_suppression(body: m.SuppressionCreate) -> Call[m.SuppressionPublic]:
    return Call("POST", "/v1/suppressions", m.SuppressionPublic, json=_body(body))


def check_suppression(recipient: str, tenant: str | None = None) -> Call[m.SuppressionCheck]:
    params = {"recipient": recipient, "tenant": tenant}
    return Call("GET", "/v1/suppressions/check", m.SuppressionCheck, params=params)


def remove_suppression(suppression_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/suppressions/{suppression_id}")


# --- alert rules and alerts --------------------------------------------------------------------


def list_alert_rules(
    tenant: str | None = None, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.AlertRulePublic]]:
    return _page("/v1/alert-rules", m.AlertRulePublic, cursor, limit, tenant=tenant)


def create_alert_rule(body: m.AlertRuleCreate) -> Call[m.AlertRuleCreated]:
    return Call("POST", "/v1/alert-rules", m.AlertRuleCreated, json=_body(body))


def get_alert_rule(rule_id: str) -> Call[m.AlertRulePublic]:
    return Call("GET", f"/v1/alert-rules/{rule_id}", m.AlertRulePublic)


def update_alert_rule(rule_id: str, body: m.AlertRuleUpdate) -> Call[m.AlertRuleCreated]:
    return Call("PATCH", f"/v1/alert-rules/{rule_id}", m.AlertRuleCreated, json=_body(body))


def delete_alert_rule(rule_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/alert-rules/{rule_id}")


@dataclass
class AlertFilters:
    """Filters of ``GET /v1/alerts`` (``since``/``until`` bound when it fired)."""

    tenant: str | None = None
    state: Literal["firing", "resolved"] | None = None
    rule: str | None = None
    endpoint: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_alerts(
    filters: AlertFilters, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.AlertPublic]]:
    return _page("/v1/alerts", m.AlertPublic, cursor, limit, **asdict(filters))


def get_alert(alert_id: str) -> Call[m.AlertPublic]:
    return Call("GET", f"/v1/alerts/{alert_id}", m.AlertPublic)
