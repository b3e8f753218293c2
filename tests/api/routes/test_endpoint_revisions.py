"""Endpoint revisions: every change is one (who, when, JSON diff, secrets only as "changed"),
listed, shown, and rolled back to (itself a revision, restoring receiver credentials too)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from store.db import Database
from store.endpoint_models import Endpoint, EndpointRevision
from tests.support.api import expect_error
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack

HOOK = "https://hooks.shop.example/a"


async def _key(stack: Stack, tenant_id: str, role: str) -> str:
    body = {"tenant_id": tenant_id, "role": role}
    response = await stack.api.post("/v1/api-keys", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["key"])


async def _revisions(stack: Stack, endpoint_id: str, **params: str) -> list[dict[str, Any]]:
    response = await stack.api.get(f"/v1/endpoints/{endpoint_id}/revisions", params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def test_every_change_is_a_revision_with_its_diff(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK, name="orders")
    path = f"/v1/endpoints/{endpoint['id']}"
    assert endpoint["revision"] == 1
    [first] = await _revisions(stack, endpoint["id"])
    assert (first["number"], first["action"]) == (1, "create")
    assert first["actor"].startswith("key_") and first["rolled_back_to"] is None
    assert first["changes"]["name"] == {"from": None, "to": "orders"}
    assert first["changes"]["secrets.signing_secret"] == "changed"

    changes = {"name": "orders v2", "retry": {"max_attempts": 4}}
    assert (await stack.api.patch(path, json=changes)).json()["revision"] == 2
    auth = {"type": "bearer", "token": "tok-secret-1"}
    assert (await stack.api.patch(path, json={"auth": auth})).status_code == 200
    rotated = await stack.api.post(f"{path}/secret/rotate", json={"grace_seconds": 0})
    assert rotated.status_code == 200
    listed = await _revisions(stack, endpoint["id"])
    assert [r["number"] for r in listed] == [4, 3, 2, 1]  # newest first
    assert [r["action"] for r in listed] == ["secret_rotate", "update", "update", "create"]
    assert listed[0]["changes"] == {"secrets.signing_secret": "changed"}
    assert listed[1]["changes"] == {
        "auth.type": {"from": "none", "to": "bearer"},
        "secrets.auth": "changed",
    }
    assert listed[2]["changes"] == {
        "name": {"from": "orders", "to": "orders v2"},
        "retry.max_attempts": {"from": 18, "to": 4},
    }
    response = await stack.api.get(f"{path}/revisions/3")
    assert response.status_code == 200 and "tok-secret-1" not in response.text
    detail = response.json()
    assert detail["changes"] == listed[1]["changes"]
    assert (
        detail["config"]["auth"] == {"type": "bearer"} and detail["config"]["name"] == "orders v2"
    )
    text = (await stack.api.get(f"{path}/revisions")).text
    assert "tok-secret-1" not in text and "gtenc:" not in text and "whsec_" not in text

    pages = [await _revisions(stack, endpoint["id"], limit="3")]
    cursor = (await stack.api.get(f"{path}/revisions", params={"limit": "3"})).json()
    assert cursor["next_cursor"] == "2"
    pages.append(await _revisions(stack, endpoint["id"], limit="3", cursor=cursor["next_cursor"]))
    assert [[r["number"] for r in p] for p in pages] == [[4, 3, 2], [1]]


async def test_rollback_restores_configuration_and_credentials(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"], receiver.url, auth={"type": "bearer", "token": "first-token"}
    )
    path = f"/v1/endpoints/{endpoint['id']}"
    changed = {
        "auth": {"type": "basic", "username": "u", "password": "p"},
        "headers": {"X-V": "2"},
        "enabled": False,
        "disabled_reason": "moving",
    }
    assert (await stack.api.patch(path, json=changed)).status_code == 200
    rotated = (await stack.api.post(f"{path}/secret/rotate", json={"grace_seconds": 0})).json()

    response = await stack.api.post(f"{path}/revisions/1/rollback")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revision"] == 4 and body["headers"] == {} and body["enabled"] is True
    assert body["auth"]["type"] == "bearer" and body["disabled_reason"] is None
    [latest, *_] = await _revisions(stack, endpoint["id"])
    assert (latest["action"], latest["rolled_back_to"]) == ("rollback", 1)
    assert latest["changes"]["headers.X-V"] == {"from": "2", "to": None}
    assert latest["changes"]["secrets.auth"] == "changed"
    assert "secrets.signing_secret" not in latest["changes"]  # rotation is not rolled back
    revealed = (await stack.api.get(f"{path}/secret")).json()["secret"]
    assert revealed == rotated["secret"]

    await stack.post_event(tenant["id"])
    [request] = await receiver.wait_for(1)
    assert request.headers["authorization"] == "Bearer first-token"  # the sealed token is back

    again = await stack.api.post(f"{path}/revisions/1/rollback")
    expect_error(again, 409, "nothing_to_roll_back")
    back = await stack.api.post(f"{path}/revisions/2/rollback")
    assert back.status_code == 200
    assert (back.json()["enabled"], back.json()["disabled_reason"]) == (False, "moving")
    assert back.json()["disabled_by"].startswith("key_")
    audit = await stack.api.get("/v1/audit", params={"action": "endpoint.rollback"})
    assert [e["resource"] for e in audit.json()["data"]] == [endpoint["id"]] * 2


async def test_revision_errors(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    endpoint = await stack.endpoint(mine["id"], HOOK)
    path = f"/v1/endpoints/{endpoint['id']}"
    expect_error(await stack.api.get(f"{path}/revisions/9"), 404, "revision_not_found")
    expect_error(await stack.api.post(f"{path}/revisions/9/rollback"), 404, "revision_not_found")
    expect_error(await stack.api.post(f"{path}/revisions/1/rollback"), 409, "nothing_to_roll_back")
    for bad in ("0", "x", "99999999999"):
        expect_error(await stack.api.get(f"{path}/revisions/{bad}"), 422, "validation_error")
    response = await stack.api.get(f"{path}/revisions", params={"cursor": "0"})
    expect_error(response, 422, "validation_error")
    missing = "/v1/endpoints/ep_nope/revisions"
    expect_error(await stack.api.get(missing), 404, "endpoint_not_found")
    expect_error(await stack.api.get(f"{missing}/1"), 404, "endpoint_not_found")
    expect_error(await stack.api.post(f"{missing}/1/rollback"), 404, "endpoint_not_found")

    async with stack.with_key(await _key(stack, theirs["id"], "tenant_admin")) as other:
        for response in (
            await other.get(f"{path}/revisions"),
            await other.get(f"{path}/revisions/1"),
            await other.post(f"{path}/revisions/1/rollback"),
        ):
            expect_error(response, 403, "tenant_scope_violation")
    await stack.api.patch(path, json={"name": "renamed"})
    async with stack.with_key(await _key(stack, mine["id"], "viewer")) as viewer:
        assert len((await viewer.get(f"{path}/revisions")).json()["data"]) == 2
        response = await viewer.post(f"{path}/revisions/1/rollback")
        expect_error(response, 403, "role_required")
    assert (await stack.api.get(path)).json()["name"] == "renamed"

    assert (await stack.api.delete(path)).status_code == 204
    expect_error(await stack.api.get(f"{path}/revisions"), 404, "endpoint_not_found")


async def test_endpoint_from_before_revisions_gets_a_baseline(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], HOOK, name="old")
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:  # as migration 0007 leaves an existing endpoint
            await session.exec(delete(EndpointRevision))  # type: ignore[call-overload]
            row = await session.get(Endpoint, endpoint["id"])
            assert row is not None
            row.revision = 0
            session.add(row)
            await session.commit()
    finally:
        await db.dispose()
    path = f"/v1/endpoints/{endpoint['id']}"
    assert (await stack.api.patch(path, json={"name": "new"})).json()["revision"] == 2
    update, baseline = await _revisions(stack, endpoint["id"])
    assert (baseline["number"], baseline["action"], baseline["actor"]) == (1, "baseline", "")
    assert update["changes"] == {"name": {"from": "old", "to": "new"}}
    rolled = await stack.api.post(f"{path}/revisions/1/rollback")
    assert rolled.json()["name"] == "old"


async def test_engine_disabling_on_410_is_a_revision(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=410)
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    await stack.wait_status(callback_id, "dead_lettered")
    path = f"/v1/endpoints/{endpoint['id']}"
    latest, created = await _revisions(stack, endpoint["id"])
    assert (latest["action"], latest["actor"], created["action"]) == (
        "auto_disable",
        "delivery-engine",
        "create",
    )
    assert latest["changes"]["enabled"] == {"from": True, "to": False}
    assert "410" in latest["changes"]["disabled_reason"]["to"]
    assert (await stack.api.get(path)).json()["revision"] == 2
    enabled = (await stack.api.post(f"{path}/revisions/1/rollback")).json()
    assert enabled["enabled"] is True and enabled["disabled_by"] is None
