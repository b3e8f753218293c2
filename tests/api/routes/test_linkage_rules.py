"""Linkage rules and the suppression list through the API: validation, scope, secrets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.api import expect_error
from tests.support.stack import Stack

SUPPRESS = {"name": "unsub", "triggers": ["event"], "action": {"kind": "suppress"}}


async def _tenant_key(stack: Stack, tenant_id: str, role: str = "tenant_admin") -> str:
    response = await stack.api.post("/v1/api-keys", json={"role": role, "tenant_id": tenant_id})
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**SUPPRESS, "triggers": []}, "validation_error"),
        ({**SUPPRESS, "triggers": ["event", "event"]}, "validation_error"),
        ({**SUPPRESS, "triggers": ["sometime"]}, "validation_error"),
        ({**SUPPRESS, "action": {"kind": "teleport"}}, "validation_error"),
        ({**SUPPRESS, "action": {"kind": "notify"}}, "validation_error"),  # notify on "event"
        (
            {**SUPPRESS, "triggers": ["delivered"], "action": {"kind": "escalate"}},
            "validation_error",
        ),
        ({**SUPPRESS, "action": {"kind": "webhook"}}, "validation_error"),  # no url
        ({**SUPPRESS, "action": {"kind": "webhook", "url": "ftp://x"}}, "validation_error"),
        ({**SUPPRESS, "action": {"kind": "workflow", "workflow_type": "X"}}, "validation_error"),
        (
            {
                **SUPPRESS,
                "action": {"kind": "workflow", "workflow_type": "a b", "task_queue": "q"},
            },
            "validation_error",
        ),
        ({**SUPPRESS, "filter": {"data": {"a..b": ["x"]}}}, "validation_error"),
        ({**SUPPRESS, "filter": {"event_types": ["Bad Type"]}}, "validation_error"),
        ({**SUPPRESS, "name": "x\ny"}, "validation_error"),
        ({**SUPPRESS, "extra": 1}, "validation_error"),
    ],
)
async def test_invalid_rules_are_refused(stack: Stack, body: dict[str, Any], code: str) -> None:
    tenant = await stack.tenant()
    response = await stack.api.post("/v1/linkage-rules", json={"tenant_id": tenant["id"], **body})
    expect_error(response, 422, code)


async def test_rule_crud_secret_once_and_trigger_checks_on_update(stack: Stack) -> None:
    tenant = await stack.tenant()
    response = await stack.api.post(
        "/v1/linkage-rules", json={"tenant_id": tenant["id"], **SUPPRESS}
    )
    assert response.status_code == 201, response.text
    rule = response.json()
    assert rule["secret"] is None and rule["action"] == {"kind": "suppress"}
    assert rule["filter"] == {"event_types": [], "channels": [], "endpoint_ids": [], "data": {}}

    webhook = {"kind": "webhook", "url": "http://127.0.0.1:9/crm", "event_type": "crm.x"}
    response = await stack.api.patch(f"/v1/linkage-rules/{rule['id']}", json={"action": webhook})
    assert response.status_code == 200, response.text
    assert response.json()["secret"].startswith("whsec_")  # generated now, shown once
    response = await stack.api.patch(f"/v1/linkage-rules/{rule['id']}", json={"enabled": False})
    assert response.json()["secret"] is None and response.json()["enabled"] is False

    response = await stack.api.patch(
        f"/v1/linkage-rules/{rule['id']}", json={"action": {"kind": "notify"}}
    )
    expect_error(response, 422, "invalid_triggers")  # notify cannot fire on "event"
    response = await stack.api.patch(
        f"/v1/linkage-rules/{rule['id']}",
        json={"action": {"kind": "notify"}, "triggers": ["dead_lettered"]},
    )
    assert response.status_code == 200, response.text

    listed = (await stack.api.get("/v1/linkage-rules", params={"tenant": tenant["id"]})).json()
    assert [r["id"] for r in listed["data"]] == [rule["id"]]
    assert (await stack.api.delete(f"/v1/linkage-rules/{rule['id']}")).status_code == 204
    expect_error(
        await stack.api.get(f"/v1/linkage-rules/{rule['id']}"), 404, "linkage_rule_not_found"
    )


async def test_rules_and_suppressions_stay_in_their_tenant(stack: Stack) -> None:
    mine, other = await stack.tenant("mine"), await stack.tenant("other")
    theirs = await stack.api.post("/v1/linkage-rules", json={"tenant_id": other["id"], **SUPPRESS})
    entry = await stack.api.post(
        "/v1/suppressions", json={"tenant_id": other["id"], "recipient": "a@example.com"}
    )
    async with stack.with_key(await _tenant_key(stack, mine["id"])) as api:
        expect_error(
            await api.get(f"/v1/linkage-rules/{theirs.json()['id']}"), 403, "tenant_scope_violation"
        )
        expect_error(
            await api.post("/v1/linkage-rules", json={"tenant_id": other["id"], **SUPPRESS}),
            403,
            "tenant_scope_violation",
        )
        assert (await api.get("/v1/linkage-rules")).json()["data"] == []
        expect_error(
            await api.delete(f"/v1/suppressions/{entry.json()['id']}"),
            403,
            "tenant_scope_violation",
        )
        check = await api.get("/v1/suppressions/check", params={"recipient": "a@example.com"})
        assert check.json()["suppressed"] is False  # the other tenant's list is not ours
        response = await api.post("/v1/linkage-rules", json=SUPPRESS)  # tenant implied by key
        assert response.status_code == 201 and response.json()["tenant_id"] == mine["id"]


async def test_suppression_list_add_check_list_remove(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "recipient": "+8613800000000", "channel": "sms"}
    first = await stack.api.post("/v1/suppressions", json=body)
    again = await stack.api.post("/v1/suppressions", json={**body, "reason": "complaint"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()  # listed once; the first reason stays
    assert first.json()["source"].startswith("manual:")
    params = {"tenant": tenant["id"], "recipient": "+8613800000000"}
    check = (await stack.api.get("/v1/suppressions/check", params=params)).json()
    assert check["suppressed"] and check["entry"]["id"] == first.json()["id"]
    listed = (await stack.api.get("/v1/suppressions", params={"tenant": tenant["id"]})).json()
    assert [s["recipient"] for s in listed["data"]] == ["+8613800000000"]
    assert (await stack.api.delete(f"/v1/suppressions/{first.json()['id']}")).status_code == 204
    check = (await stack.api.get("/v1/suppressions/check", params=params)).json()
    assert check == {"recipient": "+8613800000000", "suppressed": False, "entry": None}
    expect_error(
        await stack.api.delete(f"/v1/suppressions/{first.json()['id']}"),
        404,
        "suppression_not_found",
    )
    expect_error(
        await stack.api.get("/v1/suppressions/check", params={"recipient": "x"}),
        422,
        "tenant_required",
    )
    expect_error(
        await stack.api.post("/v1/suppressions", json={"tenant_id": tenant["id"], "recipient": ""}),
        422,
        "validation_error",
    )


async def test_webhook_targets_pass_the_ssrf_guard(stack: Stack) -> None:
    tenant = await stack.tenant()
    for url in (
        "http://10.0.0.1/crm",
        "http://169.254.169.254/latest",
        "http://[::ffff:10.0.0.1]/",
    ):
        body = {**SUPPRESS, "action": {"kind": "webhook", "url": url}}
        response = await stack.api.post(
            "/v1/linkage-rules", json={"tenant_id": tenant["id"], **body}
        )
        expect_error(response, 422, "target_not_allowed")
    response = await stack.api.post(
        "/v1/linkage-rules", json={"tenant_id": tenant["id"], **SUPPRESS}
    )
    rule_id = response.json()["id"]
    response = await stack.api.patch(
        f"/v1/linkage-rules/{rule_id}",
        json={"action": {"kind": "webhook", "url": "http://192.168.1.1/x"}},
    )
    expect_error(response, 422, "target_not_allowed")
