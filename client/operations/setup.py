"""The operations that set an account up: tenants, endpoints, templates, event types, API keys."""

from __future__ import annotations

from client import models as m
from client.call import Call
from client.operations._shared import _body, _page

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
