"""Roles against route classes, key scope, expiry, CIDR allow-lists and trusted proxies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from api.access import RouteClass, route_class_of
from api.app import ROUTE_MODULES
from store.db import Database
from store.tenant_models import ApiKey
from store.types import utcnow
from tests.support.api import app_client, expect_error, peer_client
from tests.support.stack import ADMIN_KEY, Stack, make_settings, status_event

# The rights as the product states them, written out independently of api.access.ROLES.
R, C, IV, P, A, X = "read", "configure", "intervene", "ingest", "audit", "administer"
EXPECTED = {
    "admin": {R, C, IV, P, A, X},
    "tenant_admin": {R, C, A},
    "operator": {R, IV},
    "viewer": {R},
    "producer": {P},
}


def test_every_v1_route_declares_one_route_class() -> None:
    seen: dict[str, RouteClass] = {}
    for route in (r for module in ROUTE_MODULES for r in module.router.routes):
        if not isinstance(route, APIRoute) or not route.path.startswith("/v1"):
            continue
        classes = [
            c for d in route.dependant.dependencies if (c := route_class_of(d.call)) is not None
        ]
        assert len(classes) == 1, (route.path, route.methods, classes)
        for method in route.methods or ():
            seen[f"{method} {route.path}"] = classes[0]
    assert seen["POST /v1/events"] is RouteClass.INGEST
    assert seen["POST /v1/tenants"] is RouteClass.ADMINISTER
    assert seen["GET /v1/audit"] is RouteClass.AUDIT
    assert seen["POST /v1/callbacks/{callback_id}/redirect"] is RouteClass.INTERVENE
    assert seen["GET /v1/endpoints/{endpoint_id}/secret"] is RouteClass.CONFIGURE
    assert {c.value for c in seen.values()} == {R, C, IV, P, A, X}


async def _key(stack: Stack, **body: Any) -> dict[str, Any]:
    response = await stack.api.post("/v1/api-keys", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _requests(tenant_id: str) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    """One harmless request per route class."""
    return {
        R: ("GET", "/v1/endpoints", None),
        C: ("PATCH", f"/v1/tenants/{tenant_id}", {"description": "touched"}),
        IV: ("POST", "/v1/recoveries", {"tenant_id": tenant_id, "dry_run": True}),
        P: ("POST", "/v1/events", status_event(tenant_id=tenant_id)),
        A: ("GET", "/v1/audit", None),
        X: ("POST", "/v1/tenants", {"name": "made by a matrix"}),
    }


async def test_every_role_against_every_route_class(stack: Stack) -> None:
    tenant = await stack.tenant()
    keys = {"admin": ADMIN_KEY}
    for role in EXPECTED:
        if role != "admin":
            keys[role] = (await _key(stack, role=role, tenant_id=tenant["id"]))["key"]
    for role, may in EXPECTED.items():
        async with stack.with_key(keys[role]) as api:
            for route_class, (method, url, body) in _requests(tenant["id"]).items():
                response = await api.request(method, url, json=body)
                where = (role, route_class, response.text)
                if route_class in may:
                    assert response.status_code < 300, where
                    continue
                code = "admin_required" if route_class == X else "role_required"
                error = expect_error(response, 403, code)
                if code == "role_required":
                    assert error["details"]["role"] == role, where
                    assert error["details"]["route_class"] == route_class, where


async def test_global_keys_of_other_roles(stack: Stack) -> None:
    one, two = await stack.tenant("one"), await stack.tenant("two")
    viewer = (await _key(stack, role="viewer"))["key"]
    producer = (await _key(stack, role="producer"))["key"]
    async with stack.with_key(viewer) as api:
        listed = (await api.get("/v1/tenants")).json()["data"]
        assert {t["id"] for t in listed} == {one["id"], two["id"]}
        expect_error(await api.patch(f"/v1/tenants/{one['id']}", json={}), 403, "role_required")
    async with stack.with_key(producer) as api:
        expect_error(await api.post("/v1/events", json=status_event()), 422, "tenant_required")
        response = await api.post("/v1/events", json=status_event(tenant_id=two["id"]))
        assert response.status_code == 202, response.text
        expect_error(await api.get("/v1/callbacks"), 403, "role_required")


async def test_key_scope_rules_per_role(stack: Stack) -> None:
    tenant = await stack.tenant()
    expect_error(
        await stack.api.post("/v1/api-keys", json={"role": "tenant_admin"}),
        422,
        "invalid_key_scope",
    )
    for cidrs in (["not-a-network"], ["10.0.0.0/33"], ["x" * 100]):
        response = await stack.api.post(
            "/v1/api-keys", json={"tenant_id": tenant["id"], "allowed_cidrs": cidrs}
        )
        expect_error(response, 422, "validation_error")
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    body = {"tenant_id": tenant["id"], "expires_at": past}
    expect_error(await stack.api.post("/v1/api-keys", json=body), 422, "invalid_expiry")
    naive = {"tenant_id": tenant["id"], "expires_at": "2030-01-01T00:00:00"}
    expect_error(await stack.api.post("/v1/api-keys", json=naive), 422, "validation_error")


async def _expire(stack: Stack, key_id: str) -> None:
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            row = await session.get(ApiKey, key_id)
            assert row is not None
            row.expires_at = utcnow() - timedelta(seconds=1)
            session.add(row)
            await session.commit()
    finally:
        await db.dispose()


async def test_an_expired_key_is_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    later = (utcnow() + timedelta(hours=1)).isoformat()
    created = await _key(stack, tenant_id=tenant["id"], role="viewer", expires_at=later)
    assert created["expires_at"] is not None
    async with stack.with_key(created["key"]) as api:
        assert (await api.get("/v1/tenants")).status_code == 200
        await _expire(stack, created["id"])
        expect_error(await api.get("/v1/tenants"), 401, "api_key_expired")


async def test_cidr_allow_list_uses_the_peer_unless_proxies_are_trusted(stack: Stack) -> None:
    tenant = await stack.tenant()
    inside = await _key(stack, tenant_id=tenant["id"], role="viewer", allowed_cidrs=["127.0.0.0/8"])
    outside = await _key(stack, tenant_id=tenant["id"], allowed_cidrs=["192.0.2.0/24", "::1"])
    assert outside["allowed_cidrs"] == ["192.0.2.0/24", "::1/128"]
    spoof = {"X-Forwarded-For": "192.0.2.9"}
    async with stack.with_key(inside["key"]) as api:
        assert (await api.get("/v1/tenants")).status_code == 200
    async with stack.with_key(outside["key"]) as api:
        expect_error(await api.get("/v1/tenants"), 403, "ip_not_allowed")
        expect_error(await api.get("/v1/tenants", headers=spoof), 403, "ip_not_allowed")

    async with app_client(stack, outside["key"], trusted_proxies=["127.0.0.1/32"]) as api:
        assert (await api.get("/v1/tenants", headers=spoof)).status_code == 200
        two_hops = {"X-Forwarded-For": "192.0.2.9, 198.51.100.1"}  # 198.51.100.1 is not trusted
        expect_error(await api.get("/v1/tenants", headers=two_hops), 403, "ip_not_allowed")
        expect_error(await api.get("/v1/tenants"), 403, "ip_not_allowed")
        response = await api.patch(f"/v1/tenants/{tenant['id']}", json={"name": "n"}, headers=spoof)
        assert response.status_code == 200
    [entry] = (await stack.api.get("/v1/audit", params={"action": "tenant.update"})).json()["data"]
    assert entry["address"] == "192.0.2.9"


@pytest.mark.parametrize("bad", [["nope"], ["10.0.0.0/40"]])
def test_trusted_proxies_setting_is_validated(bad: list[str]) -> None:
    with pytest.raises(ValueError):
        make_settings(Path("."), "x:1", trusted_proxies=bad)


async def _audited_address(stack: Stack, tenant_id: str) -> list[str | None]:
    response = await stack.api.get("/v1/audit", params={"action": "tenant.update"})
    entries = [e for e in response.json()["data"] if e["resource"] == tenant_id]
    return [e["address"] for e in reversed(entries)]  # oldest first


async def test_behind_a_trusted_proxy_the_forwarded_address_counts(stack: Stack) -> None:
    """The peer is a proxy at 10.0.0.5 (as in production), not loopback."""
    tenant = await stack.tenant()
    key = (await _key(stack, tenant_id=tenant["id"], allowed_cidrs=["192.0.2.0/24"]))["key"]
    proxy, stranger = ("10.0.0.5", 1234), ("203.0.113.7", 1234)
    xff, fwd = {"X-Forwarded-For": "192.0.2.9"}, {"Forwarded": 'for="192.0.2.10:5000";proto=https'}
    patch = f"/v1/tenants/{tenant['id']}"

    async with peer_client(stack, key, proxy, trusted_proxies=["10.0.0.0/8"]) as api:
        assert (await api.patch(patch, json={"description": "a"}, headers=xff)).status_code == 200
        expect_error(await api.get("/v1/tenants"), 403, "ip_not_allowed")  # the proxy itself
        expect_error(await api.get("/v1/tenants", headers=fwd), 403, "ip_not_allowed")
        for garbage in ("not-an-ip", "192.0.2.9, \x7f", ",,,", "1.2.3.4.5", "[::1"):
            bad = {"X-Forwarded-For": garbage}
            expect_error(await api.get("/v1/tenants", headers=bad), 403, "ip_not_allowed")

    trusted = {"trusted_proxies": ["10.0.0.0/8"], "trusted_proxy_header": "forwarded"}
    async with peer_client(stack, key, proxy, **trusted) as api:
        assert (await api.patch(patch, json={"description": "b"}, headers=fwd)).status_code == 200
        expect_error(await api.get("/v1/tenants", headers=xff), 403, "ip_not_allowed")
        for garbage in ('for="[2001:db8::1', "for=unknown", ";=;,", "for=_x;by=1"):
            bad = {"Forwarded": garbage}
            expect_error(await api.get("/v1/tenants", headers=bad), 403, "ip_not_allowed")

    # A client that is not a trusted proxy cannot claim an address, with either header.
    async with peer_client(stack, key, stranger, **trusted) as api:
        both = {**xff, **fwd}
        expect_error(await api.get("/v1/tenants", headers=both), 403, "ip_not_allowed")
    async with peer_client(stack, key, stranger, trusted_proxies=["10.0.0.0/8"]) as api:
        expect_error(await api.get("/v1/tenants", headers=xff), 403, "ip_not_allowed")
    async with peer_client(stack, ADMIN_KEY, proxy) as api:  # no trusted proxies at all
        assert (await api.patch(patch, json={"description": "c"}, headers=xff)).status_code == 200

    assert await _audited_address(stack, tenant["id"]) == ["192.0.2.9", "192.0.2.10", "10.0.0.5"]


def test_trusted_proxy_header_setting() -> None:
    assert make_settings(Path("."), "x:1").trusted_proxy_header == "x-forwarded-for"
    settings = make_settings(Path("."), "x:1", trusted_proxy_header=" Forwarded ")
    assert settings.trusted_proxy_header == "forwarded"
    with pytest.raises(ValueError):
        make_settings(Path("."), "x:1", trusted_proxy_header="x-real-ip")
