"""Alert rules and alerts through the API: validation, roles and tenant scope, audit, secrets."""

from __future__ import annotations

from typing import Any

from tests.support.api import expect_error
from tests.support.stack import Stack

DEAD = {"name": "dead letters", "kind": "dead_letters_over", "threshold": 3, "window_seconds": 600}
RATE = {
    "name": "success rate",
    "kind": "success_rate_below",
    "threshold": 0.9,
    "window_seconds": 3600,
    "min_callbacks": 20,
}
BREAKER = {"name": "breaker", "kind": "breaker_open_longer_than", "threshold": 300}


async def _key(stack: Stack, tenant_id: str, role: str) -> str:
    response = await stack.api.post("/v1/api-keys", json={"role": role, "tenant_id": tenant_id})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


async def test_invalid_rules_are_refused_with_codes(stack: Stack) -> None:
    tenant = await stack.tenant()
    other = await stack.tenant("other")
    foreign = await stack.endpoint(other["id"], "http://127.0.0.1:9/x")
    invalid: list[tuple[dict[str, Any], int, str]] = [
        ({**RATE, "threshold": 1.5}, 422, "validation_error"),  # a rate is at most 1
        ({**RATE, "threshold": 0}, 422, "validation_error"),
        ({**RATE, "window_seconds": None}, 422, "validation_error"),  # needs a window
        ({**RATE, "window_seconds": 1}, 422, "validation_error"),
        ({**RATE, "min_callbacks": 0}, 422, "validation_error"),
        ({**DEAD, "threshold": 2.5}, 422, "validation_error"),  # a count
        ({**DEAD, "threshold": -1}, 422, "validation_error"),
        ({**BREAKER, "window_seconds": 60}, 422, "validation_error"),  # no window
        ({**BREAKER, "threshold": 0.5}, 422, "validation_error"),
        ({**DEAD, "kind": "vibes"}, 422, "validation_error"),
        ({**DEAD, "name": ""}, 422, "validation_error"),
        ({**DEAD, "extra": 1}, 422, "validation_error"),
        ({**DEAD, "webhook_url": "ftp://x"}, 422, "validation_error"),
        ({**DEAD, "webhook_url": "http://10.1.2.3/alerts"}, 422, "target_not_allowed"),
        ({**DEAD, "endpoint_id": foreign["id"]}, 422, "unknown_endpoint"),
        ({**DEAD, "endpoint_id": "ep_missing"}, 422, "unknown_endpoint"),
    ]
    for body, status, code in invalid:
        response = await stack.api.post("/v1/alert-rules", json={"tenant_id": tenant["id"], **body})
        expect_error(response, status, code)
    expect_error(await stack.api.post("/v1/alert-rules", json=DEAD), 422, "tenant_required")
    listed = await stack.api.get("/v1/alert-rules", params={"tenant": tenant["id"]})
    assert listed.json()["data"] == []


async def test_rule_crud_with_audit_and_a_secret_shown_once(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], "http://127.0.0.1:9/x")
    created = []
    for body in (DEAD, RATE, BREAKER):
        response = await stack.api.post("/v1/alert-rules", json={"tenant_id": tenant["id"], **body})
        assert response.status_code == 201, response.text
        created.append(response.json())
    assert [r["kind"] for r in created] == [DEAD["kind"], RATE["kind"], BREAKER["kind"]]
    assert created[0]["secret"] is None and created[0]["min_callbacks"] == 10
    assert created[2]["window_seconds"] is None

    rule_id = created[0]["id"]
    change = {"threshold": 5, "endpoint_id": endpoint["id"], "webhook_url": "http://127.0.0.1:9/a"}
    updated = await stack.api.patch(f"/v1/alert-rules/{rule_id}", json=change)
    assert updated.status_code == 200, updated.text
    body = updated.json()
    assert (body["threshold"], body["endpoint_id"]) == (5, endpoint["id"])
    assert body["secret"].startswith("whsec_")  # the new URL gets its own secret, once
    again = await stack.api.patch(f"/v1/alert-rules/{rule_id}", json={"name": "renamed"})
    assert again.json()["secret"] is None and again.json()["webhook_url"] == change["webhook_url"]
    fetched = (await stack.api.get(f"/v1/alert-rules/{rule_id}")).json()
    assert "secret" not in fetched and fetched["name"] == "renamed"
    removed = await stack.api.patch(f"/v1/alert-rules/{rule_id}", json={"webhook_url": None})
    assert removed.json()["webhook_url"] is None

    bad = await stack.api.patch(f"/v1/alert-rules/{rule_id}", json={"threshold": 1.5})
    expect_error(bad, 422, "invalid_alert_rule")
    bad = await stack.api.patch(f"/v1/alert-rules/{created[2]['id']}", json={"window_seconds": 60})
    expect_error(bad, 422, "invalid_alert_rule")
    bad = await stack.api.patch(f"/v1/alert-rules/{rule_id}", json={"endpoint_id": "ep_nope"})
    expect_error(bad, 422, "unknown_endpoint")

    listed = await stack.api.get("/v1/alert-rules", params={"tenant": tenant["id"], "limit": 2})
    page = listed.json()
    assert len(page["data"]) == 2 and page["next_cursor"]
    assert (await stack.api.delete(f"/v1/alert-rules/{rule_id}")).status_code == 204
    expect_error(await stack.api.get(f"/v1/alert-rules/{rule_id}"), 404, "alert_rule_not_found")

    audit = await stack.api.get("/v1/audit", params={"resource": rule_id, "limit": 50})
    actions = [e["action"] for e in reversed(audit.json()["data"])]  # oldest first
    assert actions == ["alert_rule.create"] + ["alert_rule.update"] * 3 + ["alert_rule.delete"]


async def test_roles_and_tenant_scope(stack: Stack) -> None:
    tenant = await stack.tenant()
    other = await stack.tenant("other")
    theirs = await stack.api.post("/v1/alert-rules", json={"tenant_id": other["id"], **DEAD})
    theirs_id = theirs.json()["id"]
    viewer = await _key(stack, tenant["id"], "viewer")
    admin = await _key(stack, tenant["id"], "tenant_admin")
    async with stack.with_key(viewer) as api:
        expect_error(await api.post("/v1/alert-rules", json=DEAD), 403, "role_required")
        assert (await api.get("/v1/alert-rules")).status_code == 200
        assert (await api.get("/v1/alerts")).status_code == 200
        expect_error(await api.delete(f"/v1/alert-rules/{theirs_id}"), 403, "role_required")
    async with stack.with_key(admin) as api:
        mine = await api.post("/v1/alert-rules", json=DEAD)  # the key's tenant is implied
        assert mine.status_code == 201 and mine.json()["tenant_id"] == tenant["id"]
        listed = (await api.get("/v1/alert-rules")).json()["data"]
        assert [r["id"] for r in listed] == [mine.json()["id"]]
        denied = await api.get(f"/v1/alert-rules/{theirs_id}")
        expect_error(denied, 403, "tenant_scope_violation")
        denied = await api.patch(f"/v1/alert-rules/{theirs_id}", json={"name": "mine now"})
        expect_error(denied, 403, "tenant_scope_violation")
        denied = await api.get("/v1/alerts", params={"tenant": other["id"]})
        expect_error(denied, 403, "tenant_scope_violation")
    async with stack.with_key(None) as api:
        assert (await api.get("/v1/alert-rules")).status_code == 401


async def test_alert_filters_are_validated(stack: Stack) -> None:
    expect_error(await stack.api.get("/v1/alerts", params={"state": "x"}), 422, "validation_error")
    expect_error(await stack.api.get("/v1/alerts", params={"since": "x"}), 422, "validation_error")
    expect_error(await stack.api.get("/v1/alerts/al_nope"), 404, "alert_not_found")
    listed = await stack.api.get("/v1/alerts", params={"state": "firing", "kind": "escalation"})
    assert listed.status_code == 200 and listed.json() == {"data": [], "next_cursor": None}


async def test_deleting_a_tenant_deletes_its_alert_rules(stack: Stack) -> None:
    tenant = await stack.tenant("short-lived")
    rule = await stack.api.post("/v1/alert-rules", json={"tenant_id": tenant["id"], **DEAD})
    assert rule.status_code == 201, rule.text
    assert (await stack.api.delete(f"/v1/tenants/{tenant['id']}")).status_code == 204
    gone = await stack.api.get(f"/v1/alert-rules/{rule.json()['id']}")
    expect_error(gone, 404, "alert_rule_not_found")
