"""The blocking client against the real API on a socket, a real worker and a real receiver."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from client import ApiError, GouTongClient
from tests.support.receiver import Answer, Receiver
from tests.support.stack import ADMIN_KEY, Stack, fast_retry, status_event


def _configuration(client: GouTongClient, url: str) -> None:
    tenants = [client.tenants.create(name=f"shop-{i}") for i in range(3)]
    assert client.tenants.get(tenants[0].id).name == "shop-0"
    assert client.tenants.update(tenants[0].id, description="d").description == "d"
    first = client.tenants.list(limit=2)
    assert len(first.data) == 2 and first.next_cursor
    assert {t.id for t in client.tenants.iter(limit=1)} >= {t.id for t in tenants}
    client.tenants.delete(tenants[2].id)
    with pytest.raises(ApiError) as missing:
        client.tenants.get(tenants[2].id)
    assert (missing.value.status, missing.value.code) == (404, "tenant_not_found")

    tenant = tenants[1].id
    created = client.endpoints.create(tenant_id=tenant, url=url, event_types=["message.*"])
    assert created.secret.startswith("whsec_") and created.url == url
    assert client.endpoints.get(created.id).event_types == ["message.*"]
    assert client.endpoints.update(created.id, name="main").name == "main"
    assert client.endpoints.disable(created.id).enabled is False
    assert client.endpoints.enable(created.id).enabled is True
    assert client.endpoints.secret(created.id).secret == created.secret
    rotated = client.endpoints.rotate_secret(created.id, grace_seconds=60)
    assert rotated.secret != created.secret and rotated.previous_secret_expires_at
    assert [e.id for e in client.endpoints.iter(tenant=tenant, limit=1)] == [created.id]
    history = list(client.endpoints.iter_revisions(created.id, limit=2))
    assert [r.action for r in history][-1] == "create" and len(history) >= 5
    assert client.endpoints.revisions(created.id, limit=1).next_cursor
    assert client.endpoints.revision(created.id, 1).config["name"] == ""
    assert client.endpoints.rollback(created.id, 1).name == ""
    client.endpoints.delete(created.id)
    with pytest.raises(ApiError, match="endpoint_not_found"):
        client.endpoints.get(created.id)

    key = client.api_keys.create(name="ops", tenant_id=tenant)
    assert key.key.startswith("gt_") and key.id in {k.id for k in client.api_keys.list()}
    with GouTongClient(str(client.http.base_url), key.key) as scoped:
        assert [t.id for t in scoped.tenants.iter()] == [tenant]
        with pytest.raises(ApiError) as denied:
            scoped.tenants.create(name="not allowed")
        assert (denied.value.status, denied.value.code) == (403, "admin_required")
        client.api_keys.revoke(key.id)
        with pytest.raises(ApiError) as revoked:
            scoped.tenants.list()
        assert (revoked.value.status, revoked.value.code) == (401, "invalid_api_key")

    with pytest.raises(ValidationError):  # checked before sending, with the API's own schema
        client.endpoints.create(tenant_id=tenant, url="not a url")
    with pytest.raises(ApiError) as invalid:  # and the server's own validation error
        client.request("POST", "/v1/tenants", json={"name": ""})
    assert (invalid.value.status, invalid.value.code) == (422, "validation_error")
    assert invalid.value.details and invalid.value.details[0]["loc"] == ["body", "name"]


def _delivery(client: GouTongClient, good: str, bad: str) -> None:
    tenant = client.tenants.create(name="deliveries").id
    ok = client.endpoints.create(tenant_id=tenant, url=good, event_types=["message.status.*"])
    failing = client.endpoints.create(
        tenant_id=tenant, url=bad, event_types=["message.behavior.*"], retry=fast_retry()
    )
    event = status_event(tenant_id=tenant)
    accepted = client.events.send(event)
    [callback_id] = accepted.callback_ids
    states = [d.status for d in client.callbacks.follow(callback_id, interval=0.2)]
    assert states[-1] == "delivered"
    detail = client.callbacks.get(callback_id)
    assert [a.status_code for a in detail.attempt_log] == [200]
    assert detail.temporal_ui_url.endswith(callback_id)
    again = client.events.send(event, idempotency_key=accepted.external_id)
    assert again.duplicate and again.callback_ids == accepted.callback_ids

    batch = client.events.send_batch([status_event(tenant_id=tenant) for _ in range(3)])
    assert len(batch.events) == 3 and all(len(e.callback_ids) == 1 for e in batch.events)
    listed = [c.id for c in client.callbacks.iter(endpoint=ok.id, limit=2)]
    assert len(listed) == 4 and callback_id in listed

    click = {"type": "message.behavior.click", "message_id": "m-1", "tenant_id": tenant}
    [dead] = client.events.send(click).callback_ids
    final = list(client.callbacks.follow(dead, interval=0.2))[-1]
    assert final.status == "dead_lettered" and final.endpoint_id == failing.id
    assert client.callbacks.list(status="dead_lettered", tenant=tenant).data[0].id == dead
    dry = client.recoveries.start(endpoint_id=failing.id, dry_run=True)
    assert (dry.matched, dry.recovery_id, dry.dry_run) == (1, None, True)
    started = client.recoveries.start(endpoint_id=failing.id)
    assert started.matched == 1 and started.recovery_id
    progress = list(client.recoveries.follow(started.recovery_id, interval=0.2))[-1]
    assert (progress.state, progress.retried) == ("completed", 1)
    assert client.recoveries.get(started.recovery_id).processed == 1
    assert client.recoveries.cancel(started.recovery_id).state == "completed"

    [steered] = client.events.send(dict(click, message_id="m-2")).callback_ids
    assert client.callbacks.pause(steered, "looking").action == "pause"
    assert client.callbacks.resume(steered).action == "resume"
    assert client.callbacks.cancel(steered, "enough").accepted
    assert list(client.callbacks.follow(steered, interval=0.2))[-1].status == "cancelled"
    with pytest.raises(ApiError) as closed:
        client.callbacks.pause(steered)
    assert (closed.value.status, closed.value.code) == (409, "callback_closed")
    assert client.callbacks.retry(dead).action == "retry"
    redirect = client.callbacks.redirect(dead, good, "receiver moved")
    assert redirect.action == "redirect"

    report = client.stats.get(tenant=tenant)
    assert report.callbacks["delivered"] >= 4 and report.attempts >= 5
    assert client.healthz() == {"status": "ok"} and client.readyz() == {"status": "ready"}


async def test_sync_client_covers_every_resource(
    stack: Stack, api_url: str, receiver: Receiver, second_receiver: Receiver
) -> None:
    second_receiver.default = Answer(status=500)
    with GouTongClient(api_url, ADMIN_KEY) as client:
        await asyncio.to_thread(_configuration, client, receiver.url)
        await asyncio.to_thread(_delivery, client, receiver.url, second_receiver.url)
    delivered = {r.headers["webhook-id"] for r in await receiver.wait_for(5)}
    assert len(delivered) == 5  # one event, a batch of three, and the redirected dead letter
