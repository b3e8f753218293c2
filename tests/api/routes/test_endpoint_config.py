"""Endpoint configuration: targets, balancing, protocol, format, receiver auth, limits,
disabling with a reason; every cross-field rule with its own code."""

from __future__ import annotations

from typing import Any

from store.api_keys import install_api_key
from store.db import Database
from store.endpoint_models import Endpoint
from store.endpoints import get_endpoint
from tests.support.api import expect_error
from tests.support.certs import self_signed
from tests.support.stack import Stack

HOOK = "https://hooks.shop.example/a"
HOOK_B = "https://hooks.shop.example/b"
PAIR = self_signed()
OTHER = self_signed("other.example")


async def _stored(stack: Stack, endpoint_id: str) -> Endpoint:
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            return await get_endpoint(session, endpoint_id=endpoint_id)
    finally:
        await db.dispose()


async def test_full_configuration_round_trips_without_secrets(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(
        tenant["id"],
        None,
        targets=[
            {"url": HOOK, "weight": 3},
            {"url": HOOK_B, "weight": 1, "enabled": False},
        ],
        balancing={"strategy": "consistent_hash", "hash_key": "data.recipient"},
        protocol="https",
        payload_format="xml",
        auth={"type": "basic", "username": "shop", "password": "s3cret-pw"},
        rate_limit={"per_second": 12.5},
        max_in_flight=8,
    )
    assert created["url"] == HOOK  # the first enabled target
    assert [(t["url"], t["weight"], t["enabled"]) for t in created["targets"]] == [
        (HOOK, 3, True),
        (HOOK_B, 1, False),
    ]
    assert created["balancing"] == {"strategy": "consistent_hash", "hash_key": "data.recipient"}
    assert (created["protocol"], created["payload_format"]) == ("https", "xml")
    assert created["auth"] == {
        "type": "basic",
        "username": "shop",
        "client_cert": None,
        "ca_bundle": None,
    }
    assert created["rate_limit"] == {"per_second": 12.5, "burst": 12}  # burst defaults
    assert created["max_in_flight"] == 8
    fetched = await stack.api.get(f"/v1/endpoints/{created['id']}")
    assert "s3cret-pw" not in fetched.text
    assert fetched.json() == {k: v for k, v in created.items() if k != "secret"}
    stored = await _stored(stack, created["id"])
    assert stored.auth_secret is not None and stored.auth_secret.startswith("gtenc:v1:")
    assert "s3cret-pw" not in stored.auth_secret and "s3cret-pw" not in str(stored.auth)

    path = f"/v1/endpoints/{created['id']}"
    changes = {"rate_limit": None, "max_in_flight": None, "balancing": {"strategy": "round_robin"}}
    patched = (await stack.api.patch(path, json=changes)).json()
    assert (patched["rate_limit"], patched["max_in_flight"]) == (None, None)
    assert patched["balancing"] == {"strategy": "round_robin", "hash_key": "message_id"}
    assert patched["auth"]["type"] == "basic"  # untouched
    mtls = {"type": "mtls", "client_cert": PAIR.cert_pem, "client_key": PAIR.key_pem}
    patched = await stack.api.patch(path, json={"auth": {**mtls, "ca_bundle": OTHER.cert_pem}})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["auth"]["client_cert"] == PAIR.cert_pem and "PRIVATE KEY" not in patched.text
    assert body["auth"]["ca_bundle"] == OTHER.cert_pem and body["auth"]["username"] is None
    stored = await _stored(stack, created["id"])
    assert stored.auth_secret is not None and "PRIVATE KEY" not in stored.auth_secret


async def test_single_url_is_one_target_of_weight_one(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], HOOK)
    assert created["targets"] == [{"url": HOOK, "weight": 1, "enabled": True, "stream": None}]
    assert (created["protocol"], created["payload_format"]) == ("http", "json")
    assert created["auth"]["type"] == "none" and created["balancing"]["strategy"] == "round_robin"
    path = f"/v1/endpoints/{created['id']}"
    patched = (await stack.api.patch(path, json={"url": HOOK_B})).json()
    assert (patched["url"], [t["url"] for t in patched["targets"]]) == (HOOK_B, [HOOK_B])

    two = {"targets": [{"url": HOOK}, {"url": HOOK_B, "weight": 2}]}
    assert (await stack.api.patch(path, json=two)).json()["url"] == HOOK
    expect_error(await stack.api.patch(path, json={"url": HOOK}), 422, "url_ambiguous")
    both = {"url": HOOK, **two}
    expect_error(await stack.api.patch(path, json=both), 422, "url_and_targets")
    response = await stack.api.post("/v1/endpoints", json={"tenant_id": tenant["id"], **both})
    expect_error(response, 422, "url_and_targets")
    response = await stack.api.post("/v1/endpoints", json={"tenant_id": tenant["id"]})
    expect_error(response, 422, "url_or_targets_required")


REDIS = {"url": "redis://127.0.0.1:6379/0", "stream": "callbacks"}
RULES: dict[str, tuple[dict[str, Any], str]] = {
    "http url on an https endpoint": (
        {"protocol": "https", "targets": [{"url": "http://h.example/"}]},
        "target_scheme_mismatch",
    ),
    "redis url on an http endpoint": (
        {"targets": [{"url": "redis://127.0.0.1:6379/0"}]},
        "target_scheme_mismatch",
    ),
    "http url on a redis_stream endpoint": (
        {"protocol": "redis_stream", "targets": [{"url": HOOK, "stream": "s"}]},
        "target_scheme_mismatch",
    ),
    "redis target without a stream": (
        {"protocol": "redis_stream", "targets": [{"url": REDIS["url"]}]},
        "stream_required",
    ),
    "http target with a stream": (
        {"targets": [{"url": HOOK, "stream": "s"}]},
        "stream_not_allowed",
    ),
    "the same target twice": ({"targets": [{"url": HOOK}, {"url": HOOK}]}, "duplicate_target"),
    "every target disabled": ({"targets": [{"url": HOOK, "enabled": False}]}, "no_enabled_target"),
    "basic auth on redis": (
        {
            "protocol": "redis_stream",
            "targets": [REDIS],
            "auth": {"type": "bearer", "token": "t"},
        },
        "auth_not_supported",
    ),
    "headers on redis": (
        {"protocol": "redis_stream", "targets": [REDIS], "headers": {"X-A": "1"}},
        "headers_not_supported",
    ),
    "mtls to an http url": (
        {
            "url": "http://h.example/",
            "auth": {"type": "mtls", "client_cert": PAIR.cert_pem, "client_key": PAIR.key_pem},
        },
        "mtls_needs_https",
    ),
    "authorization header with bearer auth": (
        {"auth": {"type": "bearer", "token": "t"}, "headers": {"authorization": "Token x"}},
        "header_conflicts_with_auth",
    ),
    "certificate that is not PEM": (
        {"auth": {"type": "mtls", "client_cert": "junk", "client_key": PAIR.key_pem}},
        "invalid_certificate",
    ),
    "key that is not PEM": (
        {"auth": {"type": "mtls", "client_cert": PAIR.cert_pem, "client_key": "junk"}},
        "invalid_private_key",
    ),
    "key of another certificate": (
        {"auth": {"type": "mtls", "client_cert": PAIR.cert_pem, "client_key": OTHER.key_pem}},
        "certificate_key_mismatch",
    ),
    "CA bundle that is not PEM": (
        {"auth": {"type": "none", "ca_bundle": "x"}},
        "invalid_ca_bundle",
    ),
    "reason while enabled": ({"disabled_reason": "why"}, "reason_without_disable"),
}


async def test_each_configuration_rule_has_its_code(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK)
    path = f"/v1/endpoints/{endpoint['id']}"
    for case, (fields, code) in RULES.items():
        body = {"tenant_id": tenant["id"], **({"url": HOOK} | fields)}
        if "targets" in fields:
            body.pop("url")
        response = await stack.api.post("/v1/endpoints", json=body)
        assert response.status_code == 422 and response.json()["code"] == code, (
            case,
            response.text,
        )
        response = await stack.api.patch(path, json=fields)
        assert response.status_code == 422 and response.json()["code"] == code, (
            case,
            response.text,
        )
    listed = (await stack.api.get("/v1/endpoints")).json()["data"]
    assert listed == [{k: v for k, v in endpoint.items() if k != "secret"}]


async def test_patch_is_checked_against_the_stored_configuration(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK, auth={"type": "bearer", "token": "abc.def"})
    path = f"/v1/endpoints/{endpoint['id']}"
    response = await stack.api.patch(path, json={"headers": {"Authorization": "x"}})
    expect_error(response, 422, "header_conflicts_with_auth")
    response = await stack.api.patch(path, json={"url": "http://plain.example/"})
    assert response.status_code == 200  # bearer is fine over http
    mtls = {"type": "mtls", "client_cert": PAIR.cert_pem, "client_key": PAIR.key_pem}
    expect_error(await stack.api.patch(path, json={"auth": mtls}), 422, "mtls_needs_https")
    response = await stack.api.patch(path, json={"protocol": "https"})
    expect_error(response, 422, "target_scheme_mismatch")
    both = {"protocol": "https", "url": HOOK, "auth": mtls}
    assert (await stack.api.patch(path, json=both)).status_code == 200


INVALID_FIELDS: dict[str, dict[str, Any]] = {
    "weight zero": {"targets": [{"url": HOOK, "weight": 0}]},
    "weight too big": {"targets": [{"url": HOOK, "weight": 1001}]},
    "21 targets": {"targets": [{"url": f"{HOOK}/{i}"} for i in range(21)]},
    "ftp target": {"targets": [{"url": "ftp://h.example/"}]},
    "target url with CRLF": {"targets": [{"url": HOOK + "\r\nX: 1"}]},
    "unknown target field": {"targets": [{"url": HOOK, "priority": 1}]},
    "unknown strategy": {"balancing": {"strategy": "random"}},
    "hash key without consistent hash": {"balancing": {"hash_key": "event_type"}},
    "hash key outside the envelope": {
        "balancing": {"strategy": "consistent_hash", "hash_key": "body"}
    },
    "unknown protocol": {"protocol": "amqp"},
    "unknown format": {"payload_format": "yaml"},
    "unknown auth type": {"auth": {"type": "digest"}},
    "basic without password": {"auth": {"type": "basic", "username": "u"}},
    "basic username with a colon": {"auth": {"type": "basic", "username": "a:b", "password": "p"}},
    "bearer token with a space": {"auth": {"type": "bearer", "token": "a b"}},
    "bearer token with CRLF": {"auth": {"type": "bearer", "token": "a\r\nX: 1"}},
    "mtls without key": {"auth": {"type": "mtls", "client_cert": PAIR.cert_pem}},
    "rate of zero": {"rate_limit": {"per_second": 0}},
    "burst of zero": {"rate_limit": {"per_second": 1, "burst": 0}},
    "max in flight zero": {"max_in_flight": 0},
    "user-agent header": {"headers": {"User-Agent": "x"}},
    "content-length header": {"headers": {"Content-Length": "1"}},
    "empty reason": {"enabled": False, "disabled_reason": ""},
}


async def test_invalid_fields_are_validation_errors(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK)
    path = f"/v1/endpoints/{endpoint['id']}"
    for case, fields in INVALID_FIELDS.items():
        body = {"tenant_id": tenant["id"], "url": HOOK, **fields}
        if "targets" in fields:
            body.pop("url")
        response = await stack.api.post("/v1/endpoints", json=body)
        assert response.status_code == 422, (case, response.text)
        assert response.json()["code"] == "validation_error", (case, response.text)
        response = await stack.api.patch(path, json=fields)
        assert response.json()["code"] == "validation_error", (case, response.text)
    assert len((await stack.api.get("/v1/endpoints")).json()["data"]) == 1


async def test_disabling_records_who_when_and_why(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK)
    assert (endpoint["disabled_reason"], endpoint["disabled_by"]) == (None, None)
    path = f"/v1/endpoints/{endpoint['id']}"
    off = {"enabled": False, "disabled_reason": "receiver migrating"}
    body = (await stack.api.patch(path, json=off)).json()
    assert (body["enabled"], body["disabled_reason"]) == (False, "receiver migrating")
    assert body["disabled_by"].startswith("key_") and body["disabled_at"] is not None
    body2 = (await stack.api.patch(path, json={"disabled_reason": "until Monday"})).json()
    assert body2["disabled_reason"] == "until Monday"
    assert body2["disabled_at"] == body["disabled_at"]  # still the same disabling
    body = (await stack.api.patch(path, json={"enabled": True})).json()
    assert body["enabled"] is True
    assert (body["disabled_reason"], body["disabled_by"], body["disabled_at"]) == (None,) * 3
    created = await stack.endpoint(tenant["id"], HOOK, enabled=False, disabled_reason="not yet")
    assert (created["enabled"], created["disabled_reason"]) == (False, "not yet")
    assert created["disabled_by"] == body2["disabled_by"]


async def test_configuration_changes_need_an_admin_role(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK)
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            key = await install_api_key(
                session, plain="gt_viewer_key_0123456789", role="viewer", tenant_id=tenant["id"]
            )
    finally:
        await db.dispose()
    assert key.role == "viewer"
    path = f"/v1/endpoints/{endpoint['id']}"
    async with stack.with_key("gt_viewer_key_0123456789") as viewer:
        assert (await viewer.get(path)).status_code == 200
        expect_error(await viewer.patch(path, json={"name": "x"}), 403, "role_required")
        expect_error(await viewer.delete(path), 403, "role_required")
        response = await viewer.post("/v1/endpoints", json={"url": HOOK})
        expect_error(response, 403, "role_required")
    assert (await stack.api.get(path)).json()["name"] == endpoint["name"]
