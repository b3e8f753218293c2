"""The asyncio client against the real API on a socket, a real worker and a real receiver."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from client import ApiError, AsyncGouTongClient
from tests.support.receiver import Answer, Receiver
from tests.support.stack import ADMIN_KEY, Stack, fast_retry, status_event


async def _configuration(client: AsyncGouTongClient, url: str) -> str:
    tenants = [await client.tenants.create(name=f"shop-{i}") for i in range(3)]
    assert (await client.tenants.get(tenants[0].id)).name == "shop-0"
    assert (await client.tenants.update(tenants[0].id, description="d")).description == "d"
    assert (await client.tenants.list(limit=2)).next_cursor
    assert {t.id async for t in client.tenants.iter(limit=1)} >= {t.id for t in tenants}
    await client.tenants.delete(tenants[2].id)
    with pytest.raises(ApiError) as missing:
        await client.tenants.get(tenants[2].id)
    assert (missing.value.status, missing.value.code) == (404, "tenant_not_found")

    tenant = tenants[1].id
    created = await client.endpoints.create(
        tenant_id=tenant, url=url, event_types=["message.status.*"]
    )
    assert (await client.endpoints.get(created.id)).url == url
    assert (await client.endpoints.update(created.id, name="main")).name == "main"
    assert (await client.endpoints.disable(created.id)).enabled is False
    assert (await client.endpoints.enable(created.id)).enabled is True
    batched = await client.endpoints.update(created.id, batch={"max_events": 5})
    assert batched.batch is not None and batched.batch.max_events == 5
    assert (await client.endpoints.update(created.id, batch=None)).batch is None
    assert (await client.endpoints.secret(created.id)).secret == created.secret
    rotated = await client.endpoints.rotate_secret(created.id, grace_seconds=0)
    assert rotated.secret != created.secret and rotated.previous_secret_expires_at is None
    assert [e.id async for e in client.endpoints.iter(tenant=tenant, limit=1)] == [created.id]
    history = [r async for r in client.endpoints.iter_revisions(created.id, limit=2)]
    assert history[-1].action == "create" and history[0].action == "secret_rotate"
    assert (await client.endpoints.revisions(created.id)).data[0].number == len(history)
    assert (await client.endpoints.revision(created.id, 2)).config["name"] == "main"
    assert (await client.endpoints.rollback(created.id, 1)).name == ""

    key = await client.api_keys.create(name="ops", tenant_id=tenant)
    assert key.id in {k.id for k in await client.api_keys.list()}
    await client.api_keys.revoke(key.id)
    async with AsyncGouTongClient(str(client.http.base_url), key.key) as revoked:
        with pytest.raises(ApiError) as refused:
            await revoked.tenants.list()
    assert (refused.value.status, refused.value.code) == (401, "invalid_api_key")
    with pytest.raises(ValidationError):
        await client.tenants.create(name="")
    with pytest.raises(ApiError, match="validation_error"):
        await client.request("POST", "/v1/tenants", json={"name": ""})
    return tenant


async def _delivery(client: AsyncGouTongClient, tenant: str, bad: str) -> None:
    failing = await client.endpoints.create(
        tenant_id=tenant, url=bad, event_types=["message.behavior.*"], retry=fast_retry()
    )
    event = status_event(tenant_id=tenant)
    accepted = await client.events.send(event)
    [callback_id] = accepted.callback_ids
    states = [d.status async for d in client.callbacks.follow(callback_id, interval=0.2)]
    assert states[-1] == "delivered"
    assert [a.status_code for a in (await client.callbacks.get(callback_id)).attempt_log] == [200]
    again = await client.events.send(event, idempotency_key=accepted.external_id)
    assert again.duplicate and again.callback_ids == accepted.callback_ids
    batch = await client.events.send_batch([status_event(tenant_id=tenant) for _ in range(2)])
    assert len(batch.events) == 2

    click = {"type": "message.behavior.click", "message_id": "m-1", "tenant_id": tenant}
    [dead] = (await client.events.send(click)).callback_ids
    final = [d async for d in client.callbacks.follow(dead, interval=0.2)][-1]
    assert final.status == "dead_lettered"
    listed = [c.id async for c in client.callbacks.iter(tenant=tenant, status="dead_lettered")]
    assert listed == [dead]
    assert (await client.callbacks.list(endpoint=failing.id)).data[0].id == dead
    dry = await client.recoveries.start(tenant_id=tenant, dry_run=True)
    assert (dry.matched, dry.recovery_id) == (1, None)
    started = await client.recoveries.start(tenant_id=tenant, event_type=click["type"])
    assert started.recovery_id is not None
    progress = [p async for p in client.recoveries.follow(started.recovery_id, interval=0.2)]
    assert (progress[-1].state, progress[-1].retried) == ("completed", 1)
    assert (await client.recoveries.get(started.recovery_id)).processed == 1
    assert (await client.recoveries.cancel(started.recovery_id)).state == "completed"

    [steered] = (await client.events.send(dict(click, message_id="m-2"))).callback_ids
    assert (await client.callbacks.pause(steered)).action == "pause"
    assert (await client.callbacks.resume(steered)).action == "resume"
    assert (await client.callbacks.retry(steered)).action == "retry"
    assert (await client.callbacks.redirect(steered, "http://127.0.0.1:9/x")).accepted
    assert (await client.callbacks.cancel(steered)).action == "cancel"
    assert [d async for d in client.callbacks.follow(steered, interval=0.2)][-1].status == (
        "cancelled"
    )
    report = await client.stats.get(tenant=tenant)
    assert report.callbacks["delivered"] == 3 and report.success_rate is not None
    assert await client.healthz() == {"status": "ok"}
    assert await client.readyz() == {"status": "ready"}


async def test_async_client_covers_every_resource(
    stack: Stack, api_url: str, receiver: Receiver, second_receiver: Receiver
) -> None:
    second_receiver.default = Answer(status=500)
    async with AsyncGouTongClient(api_url, ADMIN_KEY) as client:
        tenant = await _configuration(client, receiver.url)
        await _delivery(client, tenant, second_receiver.url)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 3
