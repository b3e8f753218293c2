"""Caller authentication (API keys) and the tenant scope a key grants."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from runtime.bootstrap import bootstrap
from store.api_keys import list_api_keys
from store.db import Database
from tests.support.api import callbacks_of, expect_error
from tests.support.stack import ADMIN_KEY, Stack, status_event

UNUSED_URL = "http://127.0.0.1:9/unused"


@asynccontextmanager
async def _client(stack: Stack, key: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async with stack.with_key(key) as client:
        yield client


async def _tenant_key(stack: Stack, tenant_id: str, role: str = "tenant_admin") -> dict[str, Any]:
    body = {"tenant_id": tenant_id, "role": role, "name": "shop backend"}
    response = await stack.api.post("/v1/api-keys", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_missing_or_wrong_credentials(stack: Stack) -> None:
    async with _client(stack, None) as anonymous:
        expect_error(await anonymous.get("/v1/tenants"), 401, "missing_credentials")
        response = await anonymous.post("/v1/events", json=status_event(tenant_id="t"))
        expect_error(response, 401, "missing_credentials")
        basic = {"Authorization": "Basic dXNlcjpwYXNz"}
        expect_error(await anonymous.get("/v1/tenants", headers=basic), 401, "missing_credentials")
        wrong = {"X-API-Key": "gt_not_a_key"}
        expect_error(await anonymous.get("/v1/tenants", headers=wrong), 401, "invalid_api_key")
        right = {"X-API-Key": ADMIN_KEY}
        assert (await anonymous.get("/v1/tenants", headers=right)).status_code == 200
    async with _client(stack, "gt_not_a_key") as wrong_bearer:
        expect_error(await wrong_bearer.get("/v1/tenants"), 401, "invalid_api_key")
        expect_error(
            await wrong_bearer.post("/v1/tenants", json={"name": "x"}), 401, "invalid_api_key"
        )
    assert (await stack.api.get("/v1/tenants")).json()["data"] == []


async def test_created_key_is_shown_once_and_stored_hashed(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await _tenant_key(stack, tenant["id"])
    plain = created["key"]
    assert plain.startswith("gt_") and len(plain) > 30
    assert created["hint"] == plain[:7] + "…"
    assert (created["role"], created["tenant_id"]) == ("tenant_admin", tenant["id"])

    listing = await stack.api.get("/v1/api-keys")
    assert listing.status_code == 200
    assert plain not in listing.text
    [listed] = [k for k in listing.json() if k["id"] == created["id"]]
    assert "key" not in listed and listed["hint"] == created["hint"]

    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            [row] = [k for k in await list_api_keys(session) if k.id == created["id"]]
    finally:
        await db.dispose()
    assert row.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in row.model_dump_json()


async def test_key_scope_rules(stack: Stack) -> None:
    tenant = await stack.tenant()
    bad = [
        ({"role": "admin", "tenant_id": tenant["id"]}, 422, "invalid_key_scope"),
        ({"role": "tenant_admin"}, 422, "invalid_key_scope"),
        ({"role": "tenant_admin", "tenant_id": "tnt_nope"}, 404, "tenant_not_found"),
        ({"role": "root", "tenant_id": tenant["id"]}, 422, "validation_error"),
    ]
    for body, status, code in bad:
        expect_error(await stack.api.post("/v1/api-keys", json=body), status, code)

    response = await stack.api.post("/v1/api-keys", json={"role": "admin", "name": "ops"})
    assert response.status_code == 201, response.text
    async with _client(stack, response.json()["key"]) as second_admin:
        assert (await second_admin.post("/v1/tenants", json={"name": "b"})).status_code == 201


async def test_tenant_key_works_within_its_tenant(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    my_endpoint = await stack.endpoint(mine["id"], UNUSED_URL)
    their_endpoint = await stack.endpoint(theirs["id"], UNUSED_URL)
    [their_callback] = (await stack.post_event(theirs["id"]))["callback_ids"]
    key = (await _tenant_key(stack, mine["id"]))["key"]
    producer = (await _tenant_key(stack, mine["id"], "producer"))["key"]

    async with _client(stack, producer) as api:
        response = await api.post("/v1/events", json=status_event())
        assert response.status_code == 202, response.text
        [my_callback] = response.json()["callback_ids"]
        assert my_callback.endswith(my_endpoint["id"].split("_", 1)[1])
        response = await api.post("/v1/events", json=status_event(tenant_id=mine["id"]))
        assert response.status_code == 202, response.text
        response = await api.post("/v1/events/batch", json={"events": [status_event()]})
        assert response.status_code == 202, response.text
    async with _client(stack, key) as api:
        listed = await callbacks_of(api)
        assert {c["tenant_id"] for c in listed} == {mine["id"]}
        assert len(listed) == 3 and their_callback not in {c["id"] for c in listed}
        assert await callbacks_of(api, endpoint=their_endpoint["id"]) == []
        endpoints = (await api.get("/v1/endpoints")).json()["data"]
        assert [e["id"] for e in endpoints] == [my_endpoint["id"]]
        tenants = (await api.get("/v1/tenants")).json()["data"]
        assert [t["id"] for t in tenants] == [mine["id"]]
        assert (await api.get(f"/v1/callbacks/{my_callback}")).status_code == 200
        assert (await api.get(f"/v1/tenants/{mine['id']}")).status_code == 200
        renamed = await api.patch(f"/v1/tenants/{mine['id']}", json={"name": "mine2"})
        assert renamed.status_code == 200 and renamed.json()["name"] == "mine2"
        response = await api.post("/v1/endpoints", json={"url": UNUSED_URL})
        assert response.status_code == 201 and response.json()["tenant_id"] == mine["id"]


async def test_tenant_key_cannot_reach_another_tenant(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    their_endpoint = await stack.endpoint(theirs["id"], UNUSED_URL, name="theirs")
    [their_callback] = (await stack.post_event(theirs["id"]))["callback_ids"]
    keys = {
        role: (await _tenant_key(stack, mine["id"], role))["key"]
        for role in ("tenant_admin", "operator", "producer")
    }
    ep, cb, tn = their_endpoint["id"], their_callback, theirs["id"]
    requests: list[tuple[str, str, str, dict[str, Any] | None]] = [
        ("tenant_admin", "GET", f"/v1/endpoints/{ep}", None),
        ("tenant_admin", "PATCH", f"/v1/endpoints/{ep}", {"name": "taken over"}),
        ("tenant_admin", "DELETE", f"/v1/endpoints/{ep}", None),
        ("tenant_admin", "GET", f"/v1/callbacks/{cb}", None),
        ("operator", "POST", f"/v1/callbacks/{cb}/retry", None),
        ("operator", "POST", f"/v1/callbacks/{cb}/cancel", {"reason": "mine now"}),
        ("operator", "POST", f"/v1/callbacks/{cb}/redirect", {"url": "http://127.0.0.1:9/x"}),
        ("tenant_admin", "GET", f"/v1/tenants/{tn}", None),
        ("tenant_admin", "PATCH", f"/v1/tenants/{tn}", {"name": "taken over"}),
        ("tenant_admin", "GET", f"/v1/callbacks?tenant={tn}", None),
        ("tenant_admin", "GET", f"/v1/endpoints?tenant={tn}", None),
        ("tenant_admin", "GET", f"/v1/audit?tenant={tn}", None),
        ("tenant_admin", "POST", "/v1/api-keys", {"tenant_id": tn, "role": "viewer"}),
        ("producer", "POST", "/v1/events", status_event(tenant_id=tn)),
        (
            "producer",
            "POST",
            "/v1/events/batch",
            {"events": [status_event(), status_event(tenant_id=tn)]},
        ),
        ("tenant_admin", "POST", "/v1/endpoints", {"tenant_id": tn, "url": UNUSED_URL}),
        ("operator", "POST", "/v1/recoveries", {"tenant_id": tn}),
    ]
    for role, method, url, body in requests:
        async with _client(stack, keys[role]) as api:
            response = await api.request(method, url, json=body)
            assert response.status_code == 403, (method, url, response.text)
            assert response.json()["code"] == "tenant_scope_violation", (method, url)

    assert (await stack.api.get(f"/v1/endpoints/{ep}")).json()["name"] == "theirs"
    assert (await stack.api.get(f"/v1/tenants/{tn}")).json()["name"] == "theirs"
    assert [c["id"] for c in await callbacks_of(stack.api)] == [cb]
    assert (await stack.callback(cb))["status"] != "cancelled"


async def test_tenant_key_cannot_administer(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await _tenant_key(stack, tenant["id"])
    async with _client(stack, created["key"]) as api:
        requests: list[tuple[str, str, dict[str, Any] | None]] = [
            ("POST", "/v1/tenants", {"name": "new"}),
            ("DELETE", f"/v1/tenants/{tenant['id']}", None),
            ("POST", "/v1/api-keys", {"role": "admin"}),
        ]
        for method, url, body in requests:
            response = await api.request(method, url, json=body)
            expect_error(response, 403, "admin_required")
        assert (await api.get("/v1/tenants")).status_code == 200  # still valid
    assert len((await stack.api.get("/v1/tenants")).json()["data"]) == 1


async def test_tenant_admin_manages_its_own_tenants_keys(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    created = await _tenant_key(stack, mine["id"])
    their_key = await _tenant_key(stack, theirs["id"], "viewer")
    async with _client(stack, created["key"]) as api:
        response = await api.post("/v1/api-keys", json={"role": "operator", "name": "ops"})
        assert response.status_code == 201, response.text
        operator = response.json()
        assert (operator["role"], operator["tenant_id"]) == ("operator", mine["id"])
        listed = (await api.get("/v1/api-keys")).json()
        assert {k["id"] for k in listed} == {created["id"], operator["id"]}
        expect_error(await api.delete(f"/v1/api-keys/{their_key['id']}"), 404, "api_key_not_found")
        assert (await api.delete(f"/v1/api-keys/{operator['id']}")).status_code == 204
    async with _client(stack, operator["key"]) as api:
        expect_error(await api.get("/v1/tenants"), 401, "invalid_api_key")
    assert their_key["id"] in {k["id"] for k in (await stack.api.get("/v1/api-keys")).json()}


async def test_revoked_key_is_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await _tenant_key(stack, tenant["id"])
    async with _client(stack, created["key"]) as api:
        assert (await api.get("/v1/tenants")).status_code == 200
        response = await stack.api.delete(f"/v1/api-keys/{created['id']}")
        assert response.status_code == 204
        expect_error(await api.get("/v1/tenants"), 401, "invalid_api_key")
        expect_error(await api.post("/v1/events", json=status_event()), 401, "invalid_api_key")
    listed = (await stack.api.get("/v1/api-keys")).json()
    assert created["id"] not in {k["id"] for k in listed}
    response = await stack.api.delete("/v1/api-keys/key_nope")
    expect_error(response, 404, "api_key_not_found")


async def test_deleting_a_tenant_revokes_its_keys(stack: Stack) -> None:
    tenant = await stack.tenant("short-lived")
    response = await stack.api.post("/v1/api-keys", json={"tenant_id": tenant["id"]})
    key = response.json()["key"]
    assert (await stack.api.delete(f"/v1/tenants/{tenant['id']}")).status_code == 204
    async with stack.with_key(key) as client:
        response = await client.get("/v1/tenants")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


async def test_revoked_bootstrap_key_stays_revoked_across_restarts(stack: Stack) -> None:
    [admin] = [k for k in (await stack.api.get("/v1/api-keys")).json() if k["role"] == "admin"]
    other = (await stack.api.post("/v1/api-keys", json={"role": "admin"})).json()["key"]
    async with stack.with_key(other) as client:
        assert (await client.delete(f"/v1/api-keys/{admin['id']}")).status_code == 204
        db = Database(stack.settings.resolved_database_url())
        try:
            await bootstrap(db, stack.settings)  # a restart with the same GOUTONG_ADMIN_API_KEY
        finally:
            await db.dispose()
    assert (await stack.api.get("/v1/tenants")).status_code == 401
