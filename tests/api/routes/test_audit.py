"""The audit log: every configuration change and manual intervention, queryable and masked."""

from __future__ import annotations

from typing import Any

from tests.support.api import expect_error
from tests.support.stack import Stack

UNUSED_URL = "http://127.0.0.1:9/unused"


async def _audit(api: Any, **params: str) -> list[dict[str, Any]]:
    response = await api.get("/v1/audit", params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


async def _admin_key_id(stack: Stack) -> str:
    keys = (await stack.api.get("/v1/api-keys")).json()
    [admin] = [k["id"] for k in keys if k["role"] == "admin"]
    return str(admin)


async def test_changes_and_interventions_are_recorded(stack: Stack) -> None:
    admin = await _admin_key_id(stack)
    tenant = await stack.tenant("audited")
    tid = tenant["id"]
    endpoint = await stack.endpoint(tid, UNUSED_URL, secret="whsec_" + "A" * 32)
    ep = endpoint["id"]
    patch = {"name": "renamed", "headers": {"Authorization": "Bearer s3cr3t-t0ken-value"}}
    assert (await stack.api.patch(f"/v1/endpoints/{ep}", json=patch)).status_code == 200
    assert (await stack.api.patch(f"/v1/tenants/{tid}", json={"name": "a2"})).status_code == 200
    assert (await stack.api.get(f"/v1/endpoints/{ep}/secret")).status_code == 200
    rotated = await stack.api.post(f"/v1/endpoints/{ep}/secret/rotate", json={})
    assert rotated.status_code == 200
    [cb] = (await stack.post_event(tid))["callback_ids"]
    cancel = await stack.api.post(f"/v1/callbacks/{cb}/cancel", json={"reason": "wrong"})
    assert cancel.status_code == 202, cancel.text
    key = (await stack.api.post("/v1/api-keys", json={"tenant_id": tid})).json()
    assert (await stack.api.delete(f"/v1/api-keys/{key['id']}")).status_code == 204
    dry = {"tenant_id": tid, "dry_run": True}
    assert (await stack.api.post("/v1/recoveries", json=dry)).status_code == 200

    entries = await _audit(stack.api)
    actions = [(e["action"], e["resource"]) for e in reversed(entries)]
    assert actions == [
        ("tenant.create", tid),
        ("endpoint.create", ep),
        ("endpoint.update", ep),
        ("tenant.update", tid),
        ("endpoint.secret.reveal", ep),
        ("endpoint.secret.rotate", ep),
        ("callback.cancel", cb),
        ("api_key.create", key["id"]),
        ("api_key.revoke", key["id"]),
    ]  # reading and a dry run are not changes
    for entry in entries:
        assert (entry["actor"], entry["actor_kind"], entry["role"]) == (admin, "api_key", "admin")
        assert entry["address"] == "127.0.0.1"
        assert entry["tenant_id"] == tid
    by_action = {e["action"]: e for e in entries}
    update = by_action["endpoint.update"]["summary"]["changes"]
    assert update["name"] == {"from": "", "to": "renamed"}
    assert update["headers"]["to"] == {"Authorization": "[masked]"}
    assert by_action["tenant.update"]["summary"]["changes"]["name"]["to"] == "a2"
    assert by_action["callback.cancel"]["summary"] == {"reason": "wrong"}
    everything = str(entries)
    assert "s3cr3t" not in everything and "A" * 32 not in everything
    assert key["key"] not in everything and rotated.json()["secret"] not in everything

    assert [e["action"] for e in await _audit(stack.api, resource=cb)] == ["callback.cancel"]
    assert len(await _audit(stack.api, action="endpoint.")) == 4
    assert len(await _audit(stack.api, action="endpoint")) == 0
    assert len(await _audit(stack.api, actor=admin)) == 9
    assert await _audit(stack.api, actor="key_other") == []
    middle = entries[4]["at"]
    assert len(await _audit(stack.api, since=middle)) == len(
        [e for e in entries if e["at"] >= middle]
    )
    assert await _audit(stack.api, until=entries[-1]["at"]) == []

    first = (await stack.api.get("/v1/audit", params={"limit": "4"})).json()
    second = (
        await stack.api.get("/v1/audit", params={"limit": "4", "cursor": first["next_cursor"]})
    ).json()
    assert [e["id"] for e in first["data"] + second["data"]] == [e["id"] for e in entries[:8]]


async def test_tenant_admin_sees_its_own_tenant_only(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    await stack.endpoint(theirs["id"], UNUSED_URL)
    created = await stack.api.post("/v1/api-keys", json={"tenant_id": mine["id"]})
    async with stack.with_key(created.json()["key"]) as api:
        response = await api.post("/v1/endpoints", json={"url": UNUSED_URL})
        assert response.status_code == 201
        own = await _audit(api)
        assert {e["tenant_id"] for e in own} == {mine["id"]}
        assert [e["action"] for e in own] == ["endpoint.create", "api_key.create", "tenant.create"]
        assert own[0]["actor"] == created.json()["id"] and own[0]["role"] == "tenant_admin"
        expect_error(
            await api.get(f"/v1/audit?tenant={theirs['id']}"), 403, "tenant_scope_violation"
        )
    expect_error(
        await stack.api.get(
            "/v1/audit", params={"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
        ),
        422,
        "invalid_window",
    )
