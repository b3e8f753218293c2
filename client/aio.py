"""``AsyncGouTongClient``: the whole API on asyncio (the twin of ``sync.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx

from client import models as m
from client import operations as ops
from client.call import Call, Retries
from client.config import DEFAULT_URL, FINAL_STATES, http_options
from client.errors import ApiError

__all__ = ["AsyncGouTongClient"]

R = TypeVar("R")
T = TypeVar("T")


class AsyncGouTongClient:
    """An asyncio client: ``client.tenants``, ``.endpoints``, ``.api_keys``, ``.events``,
    ``.callbacks``, ``.recoveries``, ``.stats``, ``.templates``, ``.event_types``,
    ``.audit``,
    ``.linkage_rules``, ``.suppressions``, ``.alert_rules``, ``.alerts``; every failure is an
    ``ApiError``."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: Retries | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.retries = retries or Retries()
        self.http = http or httpx.AsyncClient(**http_options(base_url, api_key, timeout))
        self.tenants = Tenants(self)
        self.endpoints = Endpoints(self)
        self.api_keys = ApiKeys(self)
        self.events = Events(self)
        self.callbacks = Callbacks(self)
        self.recoveries = Recoveries(self)
        self.stats = Stats(self)
        self.templates = Templates(self)
        self.event_types = EventTypes(self)
        self.audit = Audit(self)
        self.linkage_rules = LinkageRules(self)
        self.suppressions = Suppressions(self)
        self.alert_rules = AlertRules(self)
        self.alerts = Alerts(self)

    async def send(self, call: Call[R]) -> R:
        """Sends one call, retrying what ``Retries`` allows; the typed answer or ``ApiError``."""
        attempt = 1
        while True:
            try:
                response = await self.http.send(call.request(self.http))
            except httpx.TransportError as exc:
                delay = self.retries.delay(call, attempt, error=exc)
                if delay is None:
                    raise ApiError.from_transport(exc) from exc
            else:
                delay = self.retries.delay(call, attempt, response=response)
                if delay is None:
                    return call.parse(response)
            await asyncio.sleep(delay)
            attempt += 1

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any route, untyped (params=, json=): the JSON answer, or None for 204."""
        return await self.send(Call(method.upper(), path, Any, **kwargs))

    async def pages(self, page: Callable[[str | None], Call[m.Page[T]]]) -> AsyncIterator[T]:
        """Every item of a list, following ``next_cursor`` page by page."""
        cursor: str | None = None
        while True:
            result = await self.send(page(cursor))
            for item in result.data:
                yield item
            if not result.next_cursor:
                return
            cursor = result.next_cursor

    async def healthz(self) -> dict[str, Any]:
        return await self.send(ops.healthz())

    async def readyz(self) -> dict[str, Any]:
        return await self.send(ops.readyz())

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncGouTongClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


class _Resource:
    def __init__(self, client: AsyncGouTongClient) -> None:
        self._client = client
        self._send = client.send


class Tenants(_Resource):
    async def list(self, *, cursor: str | None = None, limit: int = 50) -> m.Page[m.TenantPublic]:
        return await self._send(ops.list_tenants(cursor, limit))

    def iter(self, *, limit: int = 100) -> AsyncIterator[m.TenantPublic]:
        return self._client.pages(lambda cursor: ops.list_tenants(cursor, limit))

    async def create(self, body: m.TenantCreate | None = None, /, **fields: Any) -> m.TenantPublic:
        return await self._send(ops.create_tenant(ops.as_model(m.TenantCreate, body, fields)))

    async def get(self, tenant_id: str) -> m.TenantPublic:
        return await self._send(ops.get_tenant(tenant_id))

    async def update(
        self, tenant_id: str, body: m.TenantUpdate | None = None, /, **fields: Any
    ) -> m.TenantPublic:
        return await self._send(
            ops.update_tenant(tenant_id, ops.as_model(m.TenantUpdate, body, fields))
        )

    async def delete(self, tenant_id: str) -> None:
        await self._send(ops.delete_tenant(tenant_id))


class Endpoints(_Resource):
    async def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.EndpointPublic]:
        return await self._send(ops.list_endpoints(tenant, cursor, limit))

    def iter(
        self, *, tenant: str | None = None, limit: int = 100
    ) -> AsyncIterator[m.EndpointPublic]:
        return self._client.pages(lambda cursor: ops.list_endpoints(tenant, cursor, limit))

    async def create(
        self, body: m.EndpointCreate | None = None, /, **fields: Any
    ) -> m.EndpointCreated:
        return await self._send(ops.create_endpoint(ops.as_model(m.EndpointCreate, body, fields)))

    async def get(self, endpoint_id: str) -> m.EndpointPublic:
        return await self._send(ops.get_endpoint(endpoint_id))

    async def update(
        self, endpoint_id: str, body: m.EndpointUpdate | None = None, /, **fields: Any
    ) -> m.EndpointPublic:
        changes = ops.as_model(m.EndpointUpdate, body, fields)
        return await self._send(ops.update_endpoint(endpoint_id, changes))

    async def disable(self, endpoint_id: str, reason: str | None = None) -> m.EndpointPublic:
        """Stops routing new events to it; the reason, who and when are kept."""
        return await self.update(endpoint_id, enabled=False, disabled_reason=reason)

    async def enable(self, endpoint_id: str) -> m.EndpointPublic:
        return await self.update(endpoint_id, enabled=True)

    async def health(self, endpoint_id: str) -> m.EndpointHealth:
        """The circuit breaker, its newest transitions and each target's health."""
        return await self._send(ops.endpoint_health(endpoint_id))

    async def delete(self, endpoint_id: str) -> None:
        await self._send(ops.delete_endpoint(endpoint_id))

    async def secret(self, endpoint_id: str) -> m.SecretRevealed:
        return await self._send(ops.reveal_secret(endpoint_id))

    async def rotate_secret(
        self, endpoint_id: str, *, secret: str | None = None, grace_seconds: int = 86400
    ) -> m.SecretRevealed:
        body = m.SecretRotate(secret=secret, grace_seconds=grace_seconds)
        return await self._send(ops.rotate_secret(endpoint_id, body))

    async def revisions(
        self, endpoint_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.RevisionPublic]:
        """Its configuration history, newest first (who, when, a diff against the previous)."""
        return await self._send(ops.list_revisions(endpoint_id, cursor, limit))

    def iter_revisions(
        self, endpoint_id: str, *, limit: int = 100
    ) -> AsyncIterator[m.RevisionPublic]:
        return self._client.pages(lambda cursor: ops.list_revisions(endpoint_id, cursor, limit))

    async def revision(self, endpoint_id: str, number: int) -> m.RevisionDetail:
        return await self._send(ops.get_revision(endpoint_id, number))

    async def rollback(self, endpoint_id: str, number: int) -> m.EndpointPublic:
        """Makes it as revision ``number`` left it (not the signing secret): a new revision."""
        return await self._send(ops.rollback_endpoint(endpoint_id, number))


class Templates(_Resource):
    """Endpoint templates: shared configuration a new endpoint starts from (``template_id``)."""

    async def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.TemplatePublic]:
        return await self._send(ops.list_templates(tenant, cursor, limit))

    def iter(
        self, *, tenant: str | None = None, limit: int = 100
    ) -> AsyncIterator[m.TemplatePublic]:
        return self._client.pages(lambda cursor: ops.list_templates(tenant, cursor, limit))

    async def create(
        self, body: m.TemplateCreate | None = None, /, **fields: Any
    ) -> m.TemplatePublic:
        return await self._send(ops.create_template(ops.as_model(m.TemplateCreate, body, fields)))

    async def get(self, template_id: str) -> m.TemplatePublic:
        return await self._send(ops.get_template(template_id))

    async def update(
        self, template_id: str, body: m.TemplateUpdate | None = None, /, **fields: Any
    ) -> m.TemplatePublic:
        changes = ops.as_model(m.TemplateUpdate, body, fields)
        return await self._send(ops.update_template(template_id, changes))

    async def delete(self, template_id: str) -> None:
        await self._send(ops.delete_template(template_id))


class EventTypes(_Resource):
    """The event type catalogue: built-in and custom types with versioned JSON Schemas."""

    async def list(self, *, tenant: str | None = None) -> m.EventTypeList:
        return await self._send(ops.list_event_types(tenant))

    async def create(
        self, body: m.EventTypeCreate | None = None, /, **fields: Any
    ) -> m.EventTypePublic:
        """A custom type at version 1 (``data_schema`` is its JSON Schema)."""
        return await self._send(
            ops.create_event_type(ops.as_model(m.EventTypeCreate, body, fields))
        )

    async def get(self, name: str, *, tenant: str | None = None) -> m.EventTypeDetail:
        return await self._send(ops.get_event_type(name, tenant))

    async def add_version(
        self,
        name: str,
        data_schema: dict[str, Any],
        *,
        description: str | None = None,
        tenant: str | None = None,
    ) -> m.EventTypePublic:
        body = m.EventTypeVersionCreate(data_schema=data_schema, description=description)
        return await self._send(ops.add_event_type_version(name, body, tenant))

    async def deprecate(
        self, name: str, *, version: int | None = None, tenant: str | None = None
    ) -> m.EventTypeDetail:
        return await self._send(ops.deprecate_event_type(name, version, tenant))

    async def publish(
        self, name: str, published: bool = True, *, tenant: str | None = None
    ) -> m.EventTypeDetail:
        return await self._send(ops.publish_event_type(name, published, tenant))

    async def catalog(self, *, tenant: str | None = None) -> m.Catalog:
        """The public catalogue (no key needed): published types and their schemas."""
        return await self._send(ops.catalog(tenant))


class ApiKeys(_Resource):
    async def list(self) -> list[m.ApiKeyPublic]:
        return await self._send(ops.list_api_keys())

    async def create(self, body: m.ApiKeyCreate | None = None, /, **fields: Any) -> m.ApiKeyCreated:
        return await self._send(ops.create_api_key(ops.as_model(m.ApiKeyCreate, body, fields)))

    async def revoke(self, key_id: str) -> None:
        await self._send(ops.revoke_api_key(key_id))


class Events(_Resource):
    async def send(
        self, event: ops.Event | dict[str, Any], *, idempotency_key: str | None = None
    ) -> m.EventAccepted:
        """Posts one event; retries reuse its Idempotency-Key, so it is accepted once."""
        return await self._send(ops.send_event(ops.as_event(event), idempotency_key))

    async def send_batch(self, events: list[ops.Event | dict[str, Any]]) -> m.BatchAccepted:
        return await self._send(ops.send_batch([ops.as_event(e) for e in events]))


class Callbacks(_Resource):
    async def list(
        self,
        *,
        tenant: str | None = None,
        endpoint: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> m.Page[m.CallbackPublic]:
        filters = ops.CallbackFilters(tenant, endpoint, status, event_type)
        return await self._send(ops.list_callbacks(filters, cursor, limit))

    def iter(
        self,
        *,
        tenant: str | None = None,
        endpoint: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        limit: int = 100,
    ) -> AsyncIterator[m.CallbackPublic]:
        filters = ops.CallbackFilters(tenant, endpoint, status, event_type)
        return self._client.pages(lambda cursor: ops.list_callbacks(filters, cursor, limit))

    async def get(self, callback_id: str) -> m.CallbackDetail:
        """Stored status, the attempt log, the workflow's live status and its Web UI link."""
        return await self._send(ops.get_callback(callback_id))

    async def retry(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "retry", reason))

    async def pause(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "pause", reason))

    async def resume(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "resume", reason))

    async def cancel(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "cancel", reason))

    async def redirect(
        self, callback_id: str, url: str, reason: str = ""
    ) -> m.InterventionAccepted:
        return await self._send(ops.redirect_callback(callback_id, url, reason))

    async def follow(
        self, callback_id: str, *, interval: float = 0.5
    ) -> AsyncIterator[m.CallbackDetail]:
        """The callback after every poll, until it is delivered, dead-lettered or cancelled."""
        while True:
            detail = await self.get(callback_id)
            yield detail
            if detail.status in FINAL_STATES:
                return
            await asyncio.sleep(interval)


class Recoveries(_Resource):
    async def start(
        self, body: m.RecoveryCreate | None = None, /, **fields: Any
    ) -> m.RecoveryStarted:
        """Retries every dead letter in scope; ``dry_run=True`` only counts them."""
        return await self._send(ops.start_recovery(ops.as_model(m.RecoveryCreate, body, fields)))

    async def get(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return await self._send(ops.get_recovery(recovery_id))

    async def cancel(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return await self._send(ops.cancel_recovery(recovery_id))

    async def follow(
        self, recovery_id: str, *, interval: float = 0.5
    ) -> AsyncIterator[m.RecoveryProgressPublic]:
        """The progress after every poll, until the recovery is no longer running."""
        while True:
            progress = await self.get(recovery_id)
            yield progress
            if progress.state != "running":
                return
            await asyncio.sleep(interval)


class Stats(_Resource):
    async def get(self, **filters: Any) -> m.QualityReportPublic:
        """The quality report; filters: tenant, endpoint, since, until (datetimes)."""
        return await self._send(ops.get_stats(**filters))


class Audit(_Resource):
    """The audit log, newest first. Filters: tenant, actor, action (exact, or a prefix ending
    in "."), resource, since, until."""

    async def list(
        self, *, cursor: str | None = None, limit: int = 50, **filters: Any
    ) -> m.Page[m.AuditEntryPublic]:
        return await self._send(ops.list_audit(ops.AuditFilters(**filters), cursor, limit))

    def iter(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[m.AuditEntryPublic]:
        chosen = ops.AuditFilters(**filters)
        return self._client.pages(lambda cursor: ops.list_audit(chosen, cursor, limit))


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
