"""The blocking client's resources that set an account up: tenants, endpoints, templates,
event types, API keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from client import models as m
from client import operations as ops
from client.sync_base import _Resource


class Tenants(_Resource):
    def list(self, *, cursor: str | None = None, limit: int = 50) -> m.Page[m.TenantPublic]:
        return self._send(ops.list_tenants(cursor, limit))

    def iter(self, *, limit: int = 100) -> Iterator[m.TenantPublic]:
        return self._client.pages(lambda cursor: ops.list_tenants(cursor, limit))

    def create(self, body: m.TenantCreate | None = None, /, **fields: Any) -> m.TenantPublic:
        return self._send(ops.create_tenant(ops.as_model(m.TenantCreate, body, fields)))

    def get(self, tenant_id: str) -> m.TenantPublic:
        return self._send(ops.get_tenant(tenant_id))

    def update(
        self, tenant_id: str, body: m.TenantUpdate | None = None, /, **fields: Any
    ) -> m.TenantPublic:
        return self._send(ops.update_tenant(tenant_id, ops.as_model(m.TenantUpdate, body, fields)))

    def delete(self, tenant_id: str) -> None:
        self._send(ops.delete_tenant(tenant_id))


class Endpoints(_Resource):
    def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.EndpointPublic]:
        return self._send(ops.list_endpoints(tenant, cursor, limit))

    def iter(self, *, tenant: str | None = None, limit: int = 100) -> Iterator[m.EndpointPublic]:
        return self._client.pages(lambda cursor: ops.list_endpoints(tenant, cursor, limit))

    def create(self, body: m.EndpointCreate | None = None, /, **fields: Any) -> m.EndpointCreated:
        return self._send(ops.create_endpoint(ops.as_model(m.EndpointCreate, body, fields)))

    def get(self, endpoint_id: str) -> m.EndpointPublic:
        return self._send(ops.get_endpoint(endpoint_id))

    def update(
        self, endpoint_id: str, body: m.EndpointUpdate | None = None, /, **fields: Any
    ) -> m.EndpointPublic:
        changes = ops.as_model(m.EndpointUpdate, body, fields)
        return self._send(ops.update_endpoint(endpoint_id, changes))

    def disable(self, endpoint_id: str, reason: str | None = None) -> m.EndpointPublic:
        """Stops routing new events to it; the reason, who and when are kept."""
        return self.update(endpoint_id, enabled=False, disabled_reason=reason)

    def enable(self, endpoint_id: str) -> m.EndpointPublic:
        return self.update(endpoint_id, enabled=True)

    def health(self, endpoint_id: str) -> m.EndpointHealth:
        """The circuit breaker, its newest transitions and each target's health."""
        return self._send(ops.endpoint_health(endpoint_id))

    def delete(self, endpoint_id: str) -> None:
        self._send(ops.delete_endpoint(endpoint_id))

    def secret(self, endpoint_id: str) -> m.SecretRevealed:
        return self._send(ops.reveal_secret(endpoint_id))

    def rotate_secret(
        self, endpoint_id: str, *, secret: str | None = None, grace_seconds: int = 86400
    ) -> m.SecretRevealed:
        body = m.SecretRotate(secret=secret, grace_seconds=grace_seconds)
        return self._send(ops.rotate_secret(endpoint_id, body))

    def revisions(
        self, endpoint_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.RevisionPublic]:
        """Its configuration history, newest first (who, when, a diff against the previous)."""
        return self._send(ops.list_revisions(endpoint_id, cursor, limit))

    def iter_revisions(self, endpoint_id: str, *, limit: int = 100) -> Iterator[m.RevisionPublic]:
        return self._client.pages(lambda cursor: ops.list_revisions(endpoint_id, cursor, limit))

    def revision(self, endpoint_id: str, number: int) -> m.RevisionDetail:
        return self._send(ops.get_revision(endpoint_id, number))

    def rollback(self, endpoint_id: str, number: int) -> m.EndpointPublic:
        """Makes it as revision ``number`` left it (not the signing secret): a new revision."""
        return self._send(ops.rollback_endpoint(endpoint_id, number))


class Templates(_Resource):
    """Endpoint templates: shared configuration a new endpoint starts from (``template_id``)."""

    def list(
        self, *, tenant: str | None = None, cursor: str | None = None, limit: int = 50
    ) -> m.Page[m.TemplatePublic]:
        return self._send(ops.list_templates(tenant, cursor, limit))

    def iter(self, *, tenant: str | None = None, limit: int = 100) -> Iterator[m.TemplatePublic]:
        return self._client.pages(lambda cursor: ops.list_templates(tenant, cursor, limit))

    def create(self, body: m.TemplateCreate | None = None, /, **fields: Any) -> m.TemplatePublic:
        return self._send(ops.create_template(ops.as_model(m.TemplateCreate, body, fields)))

    def get(self, template_id: str) -> m.TemplatePublic:
        return self._send(ops.get_template(template_id))

    def update(
        self, template_id: str, body: m.TemplateUpdate | None = None, /, **fields: Any
    ) -> m.TemplatePublic:
        changes = ops.as_model(m.TemplateUpdate, body, fields)
        return self._send(ops.update_template(template_id, changes))

    def delete(self, template_id: str) -> None:
        self._send(ops.delete_template(template_id))


class EventTypes(_Resource):
    """The event type catalogue: built-in and custom types with versioned JSON Schemas."""

    def list(self, *, tenant: str | None = None) -> m.EventTypeList:
        return self._send(ops.list_event_types(tenant))

    def create(self, body: m.EventTypeCreate | None = None, /, **fields: Any) -> m.EventTypePublic:
        """A custom type at version 1 (``data_schema`` is its JSON Schema)."""
        return self._send(ops.create_event_type(ops.as_model(m.EventTypeCreate, body, fields)))

    def get(self, name: str, *, tenant: str | None = None) -> m.EventTypeDetail:
        return self._send(ops.get_event_type(name, tenant))

    def add_version(
        self,
        name: str,
        data_schema: dict[str, Any],
        *,
        description: str | None = None,
        tenant: str | None = None,
    ) -> m.EventTypePublic:
        body = m.EventTypeVersionCreate(data_schema=data_schema, description=description)
        return self._send(ops.add_event_type_version(name, body, tenant))

    def deprecate(
        self, name: str, *, version: int | None = None, tenant: str | None = None
    ) -> m.EventTypeDetail:
        return self._send(ops.deprecate_event_type(name, version, tenant))

    def publish(
        self, name: str, published: bool = True, *, tenant: str | None = None
    ) -> m.EventTypeDetail:
        return self._send(ops.publish_event_type(name, published, tenant))

    def catalog(self, *, tenant: str | None = None) -> m.Catalog:
        """The public catalogue (no key needed): published types and their schemas."""
        return self._send(ops.catalog(tenant))


class ApiKeys(_Resource):
    def list(self) -> list[m.ApiKeyPublic]:
        return self._send(ops.list_api_keys())

    def create(self, body: m.ApiKeyCreate | None = None, /, **fields: Any) -> m.ApiKeyCreated:
        return self._send(ops.create_api_key(ops.as_model(m.ApiKeyCreate, body, fields)))

    def revoke(self, key_id: str) -> None:
        self._send(ops.revoke_api_key(key_id))
