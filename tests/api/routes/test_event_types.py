"""/v1/event-types and /v1/catalog: built-ins, custom types, versions, schema checks, tenant
isolation and the public listing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from tests.support.api import expect_error
from tests.support.stack import Stack

BUILTIN_TYPES = {b.name for b in BUILTIN_EVENT_TYPES}  # message types and operational ones
ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"order_id": {"type": "string"}, "amount": {"type": "number", "minimum": 0}},
    "required": ["order_id"],
}


async def create_type(
    api: httpx.AsyncClient, name: str = "order.paid", **fields: Any
) -> dict[str, Any]:
    body = {"name": name, "description": "An order was paid.", "schema": ORDER_SCHEMA, **fields}
    response = await api.post("/v1/event-types", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def tenant_admin_key(stack: Stack, tenant_id: str) -> str:
    body = {"tenant_id": tenant_id, "role": "tenant_admin"}
    response = await stack.api.post("/v1/api-keys", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


async def test_builtins_are_listed_with_their_schemas(stack: Stack) -> None:
    listed = (await stack.api.get("/v1/event-types")).json()["data"]
    builtins = {t["name"]: t for t in listed if t["builtin"]}
    assert set(builtins) == BUILTIN_TYPES
    failed = builtins["message.status.failed"]
    assert failed["version"] == 1 and failed["tenant_id"] is None and failed["published"]
    assert "error" in failed["schema"]["required"]
    assert failed["schema"]["$schema"] == "https://json-schema.org/draft/2020-12/schema"

    async with stack.with_key(None) as anonymous:
        response = await anonymous.get("/v1/event-types")
        expect_error(response, 401, "missing_credentials")
        response = await anonymous.get("/v1/catalog")
    assert response.status_code == 200, response.text
    assert "max-age" in response.headers["cache-control"]
    public = {t["name"]: t for t in response.json()["event_types"]}
    assert set(public) == BUILTIN_TYPES
    click = "message.behavior.click"
    assert public[click]["schema"] == builtins[click]["schema"]


async def test_custom_type_for_a_tenant_and_its_versions(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await create_type(stack.api, tenant_id=tenant["id"])
    assert (created["name"], created["version"], created["tenant_id"]) == (
        "order.paid",
        1,
        tenant["id"],
    )
    assert created["schema"] == ORDER_SCHEMA and not created["published"]

    v2_schema = {**ORDER_SCHEMA, "required": ["order_id", "amount"]}
    response = await stack.api.post(
        "/v1/event-types/order.paid/versions",
        params={"tenant": tenant["id"]},
        json={"schema": v2_schema},
    )
    assert response.status_code == 201, response.text
    v2 = response.json()
    assert (v2["version"], v2["description"]) == (2, "An order was paid.")

    detail = await stack.api.get("/v1/event-types/order.paid", params={"tenant": tenant["id"]})
    assert detail.status_code == 200, detail.text
    assert detail.json()["current_version"] == 2
    assert [v["version"] for v in detail.json()["versions"]] == [1, 2]

    response = await stack.api.post(
        "/v1/event-types/order.paid/deprecate",
        params={"tenant": tenant["id"]},
        json={"version": 2},
    )
    assert response.status_code == 200, response.text
    assert response.json()["current_version"] == 1
    assert [v["deprecated"] for v in response.json()["versions"]] == [False, True]

    listed = (await stack.api.get("/v1/event-types", params={"tenant": tenant["id"]})).json()
    mine = [t for t in listed["data"] if t["name"] == "order.paid"]
    assert [t["version"] for t in mine] == [1, 2]
    live = await stack.api.get(
        "/v1/event-types", params={"tenant": tenant["id"], "include_deprecated": "false"}
    )
    assert [t["version"] for t in live.json()["data"] if t["name"] == "order.paid"] == [1]

    # Without a tenant, a global key sees the global types only.
    names = {t["name"] for t in (await stack.api.get("/v1/event-types")).json()["data"]}
    assert "order.paid" not in names
    response = await stack.api.get("/v1/event-types/order.paid")
    expect_error(response, 404, "event_type_not_found")
    response = await stack.api.post(
        "/v1/event-types/order.paid/deprecate", params={"tenant": tenant["id"]}, json={"version": 7}
    )
    expect_error(response, 404, "event_type_version_not_found")


NOT_SCHEMAS: dict[str, Any] = {
    "not an object": ["string"],
    "unknown type keyword value": {"type": "objekt"},
    "required not a list": {"type": "object", "required": "order_id"},
    "another draft": {"$schema": "http://json-schema.org/draft-07/schema#"},
    "remote reference": {"$ref": "http://127.0.0.1:9/schema.json"},
    "dangling reference": {"properties": {"a": {"$ref": "#/$defs/missing"}}},
    "broken regex": {"type": "string", "pattern": "(unclosed"},
    "backtracking regex": {"type": "string", "pattern": "(a)\\1"},
    "negative length": {"type": "string", "maxLength": -1},
}


@pytest.mark.parametrize("case", list(NOT_SCHEMAS))
async def test_a_schema_must_be_a_usable_json_schema(stack: Stack, case: str) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "name": "order.paid", "schema": NOT_SCHEMAS[case]}
    response = await stack.api.post("/v1/event-types", json=body)
    expected = "validation_error" if case == "not an object" else "event_schema_invalid"
    refused = expect_error(response, 422, expected)
    assert refused["details"], refused
    listed = (await stack.api.get("/v1/event-types", params={"tenant": tenant["id"]})).json()
    assert "order.paid" not in {t["name"] for t in listed["data"]}


async def test_name_rules(stack: Stack) -> None:
    tenant = await stack.tenant()
    await create_type(stack.api, tenant_id=tenant["id"])
    for name, status, code in [
        ("order.paid", 409, "event_type_exists"),
        ("message.status.delivered", 422, "event_type_name_reserved"),
        ("message.status.lost", 422, "event_type_name_reserved"),
        ("endpoint.renamed", 422, "event_type_name_reserved"),
        ("Order.Paid", 422, "validation_error"),
        ("order.*", 422, "validation_error"),
    ]:
        body = {"tenant_id": tenant["id"], "name": name, "schema": ORDER_SCHEMA}
        expect_error(await stack.api.post("/v1/event-types", json=body), status, code)
    # A global type may not take a name a tenant already uses, nor the reverse.
    body = {"name": "order.paid", "schema": ORDER_SCHEMA}
    expect_error(await stack.api.post("/v1/event-types", json=body), 409, "event_type_exists")
    await create_type(stack.api, name="invoice.issued")
    body = {"tenant_id": tenant["id"], "name": "invoice.issued", "schema": ORDER_SCHEMA}
    expect_error(await stack.api.post("/v1/event-types", json=body), 409, "event_type_exists")


async def test_tenants_are_isolated(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    await create_type(stack.api, tenant_id=theirs["id"])
    key = await tenant_admin_key(stack, mine["id"])
    async with stack.with_key(key) as api:
        names = {t["name"] for t in (await api.get("/v1/event-types")).json()["data"]}
        assert "order.paid" not in names and BUILTIN_TYPES <= names
        expect_error(await api.get("/v1/event-types/order.paid"), 404, "event_type_not_found")
        response = await api.get("/v1/event-types", params={"tenant": theirs["id"]})
        expect_error(response, 403, "tenant_scope_violation")
        body = {"tenant_id": theirs["id"], "name": "order.refunded", "schema": ORDER_SCHEMA}
        response = await api.post("/v1/event-types", json=body)
        expect_error(response, 403, "tenant_scope_violation")

        # Its own type, under the same name as the other tenant's: each sees only its own.
        own = await create_type(api, schema={"type": "object"})
        assert own["tenant_id"] == mine["id"]
        detail = (await api.get("/v1/event-types/order.paid")).json()
        assert [v["schema"] for v in detail["versions"]] == [{"type": "object"}]

        # Global and built-in types belong to the admins and to releases.
        response = await api.post(
            "/v1/event-types/message.status.sent/versions", json={"schema": {}}
        )
        expect_error(response, 403, "event_type_builtin")
    await create_type(stack.api, name="invoice.issued")
    async with stack.with_key(key) as api:
        response = await api.post("/v1/event-types/invoice.issued/deprecate", json={})
        expect_error(response, 403, "admin_required")
    their_detail = await stack.api.get(
        "/v1/event-types/order.paid", params={"tenant": theirs["id"]}
    )
    assert their_detail.json()["versions"][0]["schema"] == ORDER_SCHEMA


async def test_public_catalog_lists_published_types_of_the_named_tenant(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    await create_type(stack.api, tenant_id=mine["id"])
    await create_type(stack.api, name="order.shipped", tenant_id=theirs["id"], published=True)

    async def public(tenant: str | None) -> set[str]:
        async with stack.with_key(None) as anonymous:
            params = {"tenant": tenant} if tenant else {}
            response = await anonymous.get("/v1/catalog", params=params)
        assert response.status_code == 200, response.text
        return {t["name"] for t in response.json()["event_types"]} - BUILTIN_TYPES

    assert await public(mine["id"]) == set()
    response = await stack.api.post(
        "/v1/event-types/order.paid/publish",
        params={"tenant": mine["id"]},
        json={"published": True},
    )
    assert response.status_code == 200, response.text
    assert await public(mine["id"]) == {"order.paid"}
    assert await public(theirs["id"]) == {"order.shipped"}
    assert await public(None) == set()
    assert await public("tnt_unknown") == set()


async def test_deleting_a_tenant_deletes_its_types(stack: Stack) -> None:
    tenant = await stack.tenant()
    await create_type(stack.api, tenant_id=tenant["id"])
    assert (await stack.api.delete(f"/v1/tenants/{tenant['id']}")).status_code == 204
    await create_type(stack.api)  # the name is free again, now for a global type
    listed = (await stack.api.get("/v1/event-types")).json()["data"]
    assert [t["tenant_id"] for t in listed if t["name"] == "order.paid"] == [None]
