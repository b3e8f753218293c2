"""Endpoint templates: CRUD per tenant or global, endpoints created from them (body fields
override), and a changed template never changes the endpoints already made from it."""

from __future__ import annotations

from typing import Any

from tests.support.api import expect_error
from tests.support.stack import Stack

HOOK = "https://hooks.shop.example/a"
TEMPLATES = "/v1/endpoint-templates"
CONFIG: dict[str, Any] = {
    "event_types": ["message.status.*"],
    "channels": ["sms"],
    "headers": {"X-From-Template": "1"},
    "timeout_seconds": 7,
    "retry": {"strategy": "fixed", "interval_seconds": 30, "max_attempts": 5},
    "rate_limit": {"per_second": 3, "burst": 6},
    "max_in_flight": 4,
    "payload_format": "xml",
    "balancing": {"strategy": "consistent_hash", "hash_key": "data.recipient"},
}


async def _template(stack: Stack, **body: Any) -> dict[str, Any]:
    response = await stack.api.post(TEMPLATES, json={"name": "standard", **body})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _key(stack: Stack, tenant_id: str, role: str = "tenant_admin") -> str:
    response = await stack.api.post("/v1/api-keys", json={"tenant_id": tenant_id, "role": role})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


async def test_endpoint_from_template_and_template_changes_leave_it_alone(stack: Stack) -> None:
    tenant = await stack.tenant()
    template = await _template(stack, tenant_id=tenant["id"], config=CONFIG)
    assert template["id"].startswith("tpl_") and template["revision"] == 1
    assert template["tenant_id"] == tenant["id"]
    assert (await stack.api.get(f"{TEMPLATES}/{template['id']}")).json() == template

    endpoint = await stack.endpoint(
        tenant["id"], HOOK, template_id=template["id"], headers={"X-Own": "2"}
    )
    assert (endpoint["template_id"], endpoint["template_revision"]) == (template["id"], 1)
    assert endpoint["headers"] == {"X-Own": "2"}  # a field given in the body wins, whole
    assert endpoint["retry"]["max_attempts"] == 5 and endpoint["retry"]["strategy"] == "fixed"
    assert (endpoint["timeout_seconds"], endpoint["payload_format"]) == (7, "xml")
    assert endpoint["event_types"] == ["message.status.*"] and endpoint["channels"] == ["sms"]
    assert endpoint["rate_limit"] == {"per_second": 3, "burst": 6}
    assert endpoint["max_in_flight"] == 4 and endpoint["balancing"] == CONFIG["balancing"]
    before = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()

    changed = {"name": "standard v2", "config": {"retry": {"max_attempts": 9}}}
    response = await stack.api.patch(f"{TEMPLATES}/{template['id']}", json=changed)
    assert response.status_code == 200, response.text
    assert response.json()["revision"] == 2 and response.json()["name"] == "standard v2"
    assert (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json() == before

    second = await stack.endpoint(tenant["id"], HOOK, template_id=template["id"])
    assert second["template_revision"] == 2 and second["retry"]["max_attempts"] == 9
    assert second["timeout_seconds"] == 15 and second["headers"] == {}  # config was replaced

    assert (await stack.api.delete(f"{TEMPLATES}/{template['id']}")).status_code == 204
    expect_error(await stack.api.get(f"{TEMPLATES}/{template['id']}"), 404, "template_not_found")
    assert (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json() == before
    body = {"tenant_id": tenant["id"], "url": HOOK, "template_id": template["id"]}
    expect_error(await stack.api.post("/v1/endpoints", json=body), 404, "template_not_found")
    audit = await stack.api.get("/v1/audit", params={"action": "endpoint_template."})
    assert {e["action"] for e in audit.json()["data"]} == {
        "endpoint_template.create",
        "endpoint_template.update",
        "endpoint_template.delete",
    }


async def test_global_and_tenant_templates_and_who_may_use_them(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    shared = await _template(stack, name="global", config={"timeout_seconds": 9})
    assert shared["tenant_id"] is None
    their_template = await _template(stack, tenant_id=theirs["id"])

    async with stack.with_key(await _key(stack, mine["id"])) as tenant_admin:
        own = await tenant_admin.post(TEMPLATES, json={"name": "own"})
        assert own.status_code == 201 and own.json()["tenant_id"] == mine["id"]
        listed = {t["id"] for t in (await tenant_admin.get(TEMPLATES)).json()["data"]}
        assert listed == {shared["id"], own.json()["id"]}
        endpoint = await tenant_admin.post(
            "/v1/endpoints", json={"url": HOOK, "template_id": shared["id"]}
        )
        assert endpoint.status_code == 201 and endpoint.json()["timeout_seconds"] == 9
        path = f"{TEMPLATES}/{shared['id']}"
        expect_error(await tenant_admin.patch(path, json={"name": "x"}), 403, "admin_required")
        expect_error(await tenant_admin.delete(path), 403, "admin_required")
        other = f"{TEMPLATES}/{their_template['id']}"
        expect_error(await tenant_admin.get(other), 403, "tenant_scope_violation")
        expect_error(await tenant_admin.delete(other), 403, "tenant_scope_violation")
        response = await tenant_admin.post(
            "/v1/endpoints", json={"url": HOOK, "template_id": their_template["id"]}
        )
        expect_error(response, 403, "tenant_scope_violation")
        response = await tenant_admin.post(TEMPLATES, json={"name": "x", "tenant_id": theirs["id"]})
        expect_error(response, 403, "tenant_scope_violation")

    body = {"tenant_id": mine["id"], "url": HOOK, "template_id": their_template["id"]}
    response = await stack.api.post("/v1/endpoints", json=body)
    expect_error(response, 422, "template_not_applicable")
    async with stack.with_key(await _key(stack, mine["id"], "viewer")) as viewer:
        assert (await viewer.get(TEMPLATES)).status_code == 200
        expect_error(await viewer.post(TEMPLATES, json={"name": "v"}), 403, "role_required")
    response = await stack.api.post(TEMPLATES, json={"name": "x", "tenant_id": "tnt_nope"})
    expect_error(response, 404, "tenant_not_found")
    everything = {t["id"] for t in (await stack.api.get(TEMPLATES)).json()["data"]}
    assert len(everything) == 3
    scoped = await stack.api.get(TEMPLATES, params={"tenant": theirs["id"]})
    assert {t["id"] for t in scoped.json()["data"]} == {shared["id"], their_template["id"]}


INVALID_TEMPLATES: dict[str, dict[str, Any]] = {
    "empty name": {"name": ""},
    "unknown field": {"name": "x", "colour": "red"},
    "unknown config field": {"name": "x", "config": {"url": HOOK}},
    "reserved header": {"name": "x", "config": {"headers": {"Host": "h"}}},
    "header with CRLF": {"name": "x", "config": {"headers": {"X-A": "a\r\nb: c"}}},
    "zero attempts": {"name": "x", "config": {"retry": {"max_attempts": 0}}},
    "bad pattern": {"name": "x", "config": {"event_types": ["Message.*"]}},
    "long timeout": {"name": "x", "config": {"timeout_seconds": 61}},
    "unknown format": {"name": "x", "config": {"payload_format": "csv"}},
    "secret in a template": {"name": "x", "config": {"secret": "whsec_x"}},
}


async def test_invalid_templates_are_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    template = await _template(stack, tenant_id=tenant["id"])
    for case, body in INVALID_TEMPLATES.items():
        response = await stack.api.post(TEMPLATES, json={"tenant_id": tenant["id"], **body})
        assert response.status_code == 422, (case, response.text)
        assert response.json()["code"] == "validation_error", (case, response.text)
        response = await stack.api.patch(f"{TEMPLATES}/{template['id']}", json=body)
        assert response.json()["code"] == "validation_error", (case, response.text)
    listed = (await stack.api.get(TEMPLATES)).json()["data"]
    assert listed == [template]
    for method in ("GET", "PATCH", "DELETE"):
        response = await stack.api.request(method, f"{TEMPLATES}/tpl_nope", json={})
        expect_error(response, 404, "template_not_found")
