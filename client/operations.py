"""Every API operation as a ``Call`` (shared by the sync and the async client).

Adding a route to the client: one function here, one line in ``sync.py`` and ``aio.py``.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from client import models as m
from client.call import Call
from core.events import EventIn

__all__ = [
    "Action",
    "AlertFilters",
    "AuditFilters",
    "CallbackFilters",
    "Event",
    "as_event",
    "as_model",
]

M = TypeVar("M", bound=BaseModel)
Event = m.Event
Action = Literal["retry", "pause", "resume", "cancel"]
_EVENT: TypeAdapter[Event] = TypeAdapter(EventIn)


def as_model(cls: type[M], body: M | None, fields: dict[str, Any]) -> M:
    """A request model from a model or from keyword fields (validated here, before sending)."""
    if body is not None and fields:
        raise TypeError("pass a model or keyword fields, not both")
    return body if body is not None else cls(**fields)


def as_event(event: Event | dict[str, Any]) -> Event:
    return event if isinstance(event, BaseModel) else _EVENT.validate_python(event)


def _body(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _page(path: str, into: Any, cursor: str | None, limit: int, **filters: Any) -> Call[Any]:
    return Call("GET", path, m.Page[into], params={**filters, "cursor": cursor, "limit": limit})


# --- tenants -----------------------------------------------------------------------------------


def list_tenants(cursor: str | None = None, limit: int = 50) -> Call[m.Page[m.TenantPublic]]:
    return _page("/v1/tenants", m.TenantPublic, cursor, limit)


def create_tenant(body: m.TenantCreate) -> Call[m.TenantPublic]:
    return Call("POST", "/v1/tenants", m.TenantPublic, json=_body(body))


def get_tenant(tenant_id: str) -> Call[m.TenantPublic]:
    return Call("GET", f"/v1/tenants/{tenant_id}", m.TenantPublic)


def update_tenant(tenant_id: str, body: m.TenantUpdate) -> Call[m.TenantPublic]:
    return Call("PATCH", f"/v1/tenants/{tenant_id}", m.TenantPublic, json=_body(body))


def delete_tenant(tenant_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/tenants/{tenant_id}")


# --- endpoints ---------------------------------------------------------------------------------


def list_endpoints(
    tenant: str | None = None, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.EndpointPublic]]:
    return _page("/v1/endpoints", m.EndpointPublic, cursor, limit, tenant=tenant)


def create_endpoint(body: m.EndpointCreate) -> Call[m.EndpointCreated]:
    return Call("POST", "/v1/endpoints", m.EndpointCreated, json=_body(body))


def get_endpoint(endpoint_id: str) -> Call[m.EndpointPublic]:
    return Call("GET", f"/v1/endpoints/{endpoint_id}", m.EndpointPublic)


def update_endpoint(endpoint_id: str, body: m.EndpointUpdate) -> Call[m.EndpointPublic]:
    return Call("PATCH", f"/v1/endpoints/{endpoint_id}", m.EndpointPublic, json=_body(body))


def endpoint_health(endpoint_id: str) -> Call[m.EndpointHealth]:
    return Call("GET", f"/v1/endpoints/{endpoint_id}/health", m.EndpointHealth)


def delete_endpoint(endpoint_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/endpoints/{endpoint_id}")


def reveal_secret(endpoint_id: str) -> Call[m.SecretRevealed]:
    return Call("GET", f"/v1/endpoints/{endpoint_id}/secret", m.SecretRevealed)


def rotate_secret(endpoint_id: str, body: m.SecretRotate) -> Call[m.SecretRevealed]:
    path = f"/v1/endpoints/{endpoint_id}/secret/rotate"
    return Call("POST", path, m.SecretRevealed, json=_body(body))


def list_revisions(
    endpoint_id: str, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.RevisionPublic]]:
    return _page(f"/v1/endpoints/{endpoint_id}/revisions", m.RevisionPublic, cursor, limit)


def get_revision(endpoint_id: str, number: int) -> Call[m.RevisionDetail]:
    return Call("GET", f"/v1/endpoints/{endpoint_id}/revisions/{number}", m.RevisionDetail)


def rollback_endpoint(endpoint_id: str, number: int) -> Call[m.EndpointPublic]:
    path = f"/v1/endpoints/{endpoint_id}/revisions/{number}/rollback"
    return Call("POST", path, m.EndpointPublic)


# --- endpoint templates ------------------------------------------------------------------------


def list_templates(
    tenant: str | None = None, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.TemplatePublic]]:
    return _page("/v1/endpoint-templates", m.TemplatePublic, cursor, limit, tenant=tenant)


def create_template(body: m.TemplateCreate) -> Call[m.TemplatePublic]:
    return Call("POST", "/v1/endpoint-templates", m.TemplatePublic, json=_body(body))


def get_template(template_id: str) -> Call[m.TemplatePublic]:
    return Call("GET", f"/v1/endpoint-templates/{template_id}", m.TemplatePublic)


def update_template(template_id: str, body: m.TemplateUpdate) -> Call[m.TemplatePublic]:
    path = f"/v1/endpoint-templates/{template_id}"
    return Call("PATCH", path, m.TemplatePublic, json=_body(body))


def delete_template(template_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/endpoint-templates/{template_id}")


# --- event type catalogue ----------------------------------------------------------------------


def list_event_types(tenant: str | None = None) -> Call[m.EventTypeList]:
    return Call("GET", "/v1/event-types", m.EventTypeList, params={"tenant": tenant})


def create_event_type(body: m.EventTypeCreate) -> Call[m.EventTypePublic]:
    return Call("POST", "/v1/event-types", m.EventTypePublic, json=_body(body))


def get_event_type(name: str, tenant: str | None = None) -> Call[m.EventTypeDetail]:
    return Call("GET", f"/v1/event-types/{name}", m.EventTypeDetail, params={"tenant": tenant})


def add_event_type_version(
    name: str, body: m.EventTypeVersionCreate, tenant: str | None = None
) -> Call[m.EventTypePublic]:
    path = f"/v1/event-types/{name}/versions"
    return Call("POST", path, m.EventTypePublic, params={"tenant": tenant}, json=_body(body))


def deprecate_event_type(
    name: str, version: int | None = None, tenant: str | None = None
) -> Call[m.EventTypeDetail]:
    path, body = f"/v1/event-types/{name}/deprecate", {"version": version}
    return Call("POST", path, m.EventTypeDetail, params={"tenant": tenant}, json=body)


def publish_event_type(
    name: str, published: bool, tenant: str | None = None
) -> Call[m.EventTypeDetail]:
    path, body = f"/v1/event-types/{name}/publish", {"published": published}
    return Call("POST", path, m.EventTypeDetail, params={"tenant": tenant}, json=body)


def catalog(tenant: str | None = None) -> Call[m.Catalog]:
    return Call("GET", "/v1/catalog", m.Catalog, params={"tenant": tenant})


# --- api keys ----------------------------------------------------------------------------------


def list_api_keys() -> Call[list[m.ApiKeyPublic]]:
    return Call("GET", "/v1/api-keys", list[m.ApiKeyPublic])


def create_api_key(body: m.ApiKeyCreate) -> Call[m.ApiKeyCreated]:
    return Call("POST", "/v1/api-keys", m.ApiKeyCreated, json=_body(body))


def revoke_api_key(key_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/api-keys/{key_id}")


# --- events ------------------------------------------------------------------------------------


def send_event(event: Event, idempotency_key: str | None = None) -> Call[m.EventAccepted]:
    """Always carries an Idempotency-Key (made up when neither it nor ``event.id`` is given),
    so a retried post cannot start the callbacks twice."""
    key = idempotency_key or event.id or f"client-{uuid.uuid4()}"
    body = event.model_dump(mode="json", exclude_unset=True)
    headers = {"Idempotency-Key": key}
    return Call("POST", "/v1/events", m.EventAccepted, json=body, headers=headers, repeatable=True)


def send_batch(events: list[Event]) -> Call[m.BatchAccepted]:
    """Every event without an ``id`` gets one, which makes the batch safe to repeat."""
    bodies = []
    for event in events:
        body = event.model_dump(mode="json", exclude_unset=True)
        body.setdefault("id", f"client-{uuid.uuid4()}")
        bodies.append(body)
    body = {"events": bodies}
    return Call("POST", "/v1/events/batch", m.BatchAccepted, json=body, repeatable=True)


# --- callbacks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackFilters:
    tenant: str | None = None
    endpoint: str | None = None
    status: str | None = None
    event_type: str | None = None


def list_callbacks(
    filters: CallbackFilters, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.CallbackPublic]]:
    return _page("/v1/callbacks", m.CallbackPublic, cursor, limit, **asdict(filters))


def get_callback(callback_id: str) -> Call[m.CallbackDetail]:
    return Call("GET", f"/v1/callbacks/{callback_id}", m.CallbackDetail)


def act_on_callback(
    callback_id: str, action: Action, reason: str = ""
) -> Call[m.InterventionAccepted]:
    path = f"/v1/callbacks/{callback_id}/{action}"
    return Call("POST", path, m.InterventionAccepted, json={"reason": reason})


def redirect_callback(callback_id: str, url: str, reason: str = "") -> Call[m.InterventionAccepted]:
    path = f"/v1/callbacks/{callback_id}/redirect"
    return Call("POST", path, m.InterventionAccepted, json={"url": url, "reason": reason})


# --- recoveries --------------------------------------------------------------------------------


def start_recovery(body: m.RecoveryCreate) -> Call[m.RecoveryStarted]:
    return Call("POST", "/v1/recoveries", m.RecoveryStarted, json=_body(body))


def get_recovery(recovery_id: str) -> Call[m.RecoveryProgressPublic]:
    return Call("GET", f"/v1/recoveries/{recovery_id}", m.RecoveryProgressPublic)


def cancel_recovery(recovery_id: str) -> Call[m.RecoveryProgressPublic]:
    return Call("POST", f"/v1/recoveries/{recovery_id}/cancel", m.RecoveryProgressPublic)


# --- audit log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    tenant: str | None = None
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in "."
    resource: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(
    filters: AuditFilters, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.AuditEntryPublic]]:
    return _page("/v1/audit", m.AuditEntryPublic, cursor, limit, **asdict(filters))


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


# --- stats and health --------------------------------------------------------------------------


def get_stats(
    *,
    tenant: str | None = None,
    endpoint: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Call[m.QualityReportPublic]:
    params = {"tenant": tenant, "endpoint": endpoint, "since": since, "until": until}
    return Call("GET", "/v1/stats", m.QualityReportPublic, params=params)


def healthz() -> Call[dict[str, Any]]:
    return Call("GET", "/healthz", dict[str, Any])


def readyz() -> Call[dict[str, Any]]:
    return Call("GET", "/readyz", dict[str, Any])
