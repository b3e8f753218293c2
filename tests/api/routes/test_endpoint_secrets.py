"""Endpoint secrets: sealed at rest, revealed on purpose, rotated with a grace period during
which each callback carries both signatures (each verifying with the standardwebhooks library)."""

from __future__ import annotations

import asyncio

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from store.db import Database
from store.endpoints import get_endpoint
from tests.support.receiver import Receiver
from tests.support.stack import Stack


async def _stored_secret(stack: Stack, endpoint_id: str) -> str:
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            return (await get_endpoint(session, endpoint_id=endpoint_id)).secret
    finally:
        await db.dispose()


async def test_secret_is_sealed_at_rest_and_shown_only_on_purpose(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], "http://127.0.0.1:9/hook")
    stored = await _stored_secret(stack, created["id"])
    assert stored.startswith("gtenc:v1:")
    assert created["secret"] not in stored
    assert created["secret"].removeprefix("whsec_") not in stored
    fetched = (await stack.api.get(f"/v1/endpoints/{created['id']}")).json()
    assert "secret" not in fetched
    listed = (await stack.api.get("/v1/endpoints")).json()["data"]
    assert all("secret" not in e for e in listed)
    revealed = (await stack.api.get(f"/v1/endpoints/{created['id']}/secret")).json()
    assert revealed["secret"] == created["secret"]
    assert revealed["previous_secret_expires_at"] is None


async def test_rotation_signs_with_both_secrets_during_the_grace_period(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], receiver.url)
    old = created["secret"]
    response = await stack.api.post(f"/v1/endpoints/{created['id']}/secret/rotate", json={})
    assert response.status_code == 200, response.text
    new = response.json()["secret"]
    assert new != old and response.json()["previous_secret_expires_at"] is not None

    await stack.post_event(tenant["id"])
    [request] = await receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(request.body, request.headers)


async def test_after_the_grace_period_only_the_new_secret_signs(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], receiver.url)
    new = "whsec_" + "B" * 43 + "="
    body = {"secret": new, "grace_seconds": 1}
    response = await stack.api.post(f"/v1/endpoints/{created['id']}/secret/rotate", json=body)
    assert response.json()["secret"] == new
    await asyncio.sleep(1.5)
    await stack.post_event(tenant["id"])
    [request] = await receiver.wait_for(1)
    assert len(request.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(request.body, request.headers)
    revealed = (await stack.api.get(f"/v1/endpoints/{created['id']}/secret")).json()
    assert revealed == {
        "endpoint_id": created["id"],
        "secret": new,
        "previous_secret_expires_at": None,
    }


async def test_rotation_without_grace_drops_the_old_secret_at_once(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], receiver.url)
    path = f"/v1/endpoints/{created['id']}/secret/rotate"
    new = (await stack.api.post(path, json={"grace_seconds": 0})).json()["secret"]
    await stack.post_event(tenant["id"])
    [request] = await receiver.wait_for(1)
    Webhook(new).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(created["secret"]).verify(request.body, request.headers)


async def test_other_tenants_cannot_see_or_rotate_a_secret(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    created = await stack.endpoint(mine["id"], "http://127.0.0.1:9/hook")
    key = (await stack.api.post("/v1/api-keys", json={"tenant_id": theirs["id"]})).json()["key"]
    async with stack.with_key(key) as client:
        for response in (
            await client.get(f"/v1/endpoints/{created['id']}/secret"),
            await client.post(f"/v1/endpoints/{created['id']}/secret/rotate", json={}),
        ):
            assert response.status_code == 403
            assert response.json()["code"] == "tenant_scope_violation"


async def test_invalid_rotation_input_is_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], "http://127.0.0.1:9/hook")
    path = f"/v1/endpoints/{created['id']}/secret/rotate"
    for body in ({"secret": "nope"}, {"grace_seconds": -1}, {"grace_seconds": 8 * 86400}):
        assert (await stack.api.post(path, json=body)).status_code == 422
    assert (
        await stack.api.post("/v1/endpoints/ep_missing/secret/rotate", json={})
    ).status_code == 404
