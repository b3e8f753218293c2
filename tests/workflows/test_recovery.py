"""Bulk recovery as a workflow: 100 dead letters retried, progress queryable, dry runs,
replay of delivered callbacks, scoping."""

from __future__ import annotations

import asyncio
import time

from tests.support.histories import keep_history
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, status_event


async def _dead_letters(stack: Stack, receiver: Receiver, count: int) -> tuple[dict, list[str]]:
    receiver.default = Answer(status=422)  # fail fast: straight to dead letter (410 disables)
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    events = [status_event(tenant_id=tenant["id"], id=f"dl-{n}") for n in range(count)]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    ids = [cid for e in response.json()["events"] for cid in e["callback_ids"]]
    for callback_id in ids:
        await stack.wait_status(callback_id, "dead_lettered", timeout=120)
    return endpoint, ids


async def _finished(stack: Stack, recovery_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        progress = (await stack.api.get(f"/v1/recoveries/{recovery_id}")).json()
        if progress["state"] != "running" or time.monotonic() > deadline:
            return dict(progress)
        await asyncio.sleep(0.3)


async def test_recover_100_dead_letters_of_an_endpoint(stack: Stack, receiver: Receiver) -> None:
    endpoint, ids = await _dead_letters(stack, receiver, 100)
    path = f"/v1/endpoints/{endpoint['id']}/recover"
    dry = await stack.api.post(path, json={"dry_run": True})
    assert dry.status_code == 200 and dry.json() == {
        "recovery_id": None,
        "matched": 100,
        "dry_run": True,
    }

    receiver.default = Answer(status=200)  # the receiver is fixed
    started = await stack.api.post(path, json={})
    assert started.status_code == 202, started.text
    recovery_id = started.json()["recovery_id"]
    progress = await _finished(stack, recovery_id)
    await keep_history(stack.client.get_workflow_handle(recovery_id), "recovery_100")
    assert progress == {
        "recovery_id": recovery_id,
        "tenant_id": None,
        "state": "completed",
        "processed": 100,
        "retried": 100,
        "skipped": 0,
    }
    for callback_id in ids:
        body = await stack.wait_status(callback_id, "delivered", timeout=120)
        assert body["attempt_log"][-1]["trigger"] == "manual"
    again = await stack.api.post(path, json={"dry_run": True})
    assert again.json()["matched"] == 0


async def test_replay_of_delivered_callbacks_resends_them(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    [callback_id] = (await stack.post_event(tenant["id"], type="message.status.sent"))[
        "callback_ids"
    ]
    await stack.wait_status(callback_id, "delivered")
    body = {"include_delivered": True, "event_type": "message.status.sent"}
    started = await stack.api.post(f"/v1/endpoints/{endpoint['id']}/recover", json=body)
    progress = await _finished(stack, started.json()["recovery_id"])
    assert (progress["processed"], progress["retried"]) == (1, 1)
    requests = await receiver.wait_for(2)
    assert [r.headers["webhook-id"] for r in requests] == [callback_id, callback_id]


async def test_a_tenant_key_recovers_only_its_own(stack: Stack, receiver: Receiver) -> None:
    await _dead_letters(stack, receiver, 2)
    other = await stack.tenant("other")
    body = {"tenant_id": other["id"], "role": "operator"}
    key = (await stack.api.post("/v1/api-keys", json=body)).json()["key"]
    async with stack.with_key(key) as client:
        dry = await client.post("/v1/recoveries", json={"dry_run": True})
        assert dry.json()["matched"] == 0  # scoped to its tenant, which has no dead letters
        started = (await stack.api.post("/v1/recoveries", json={})).json()["recovery_id"]
        assert (await client.get(f"/v1/recoveries/{started}")).status_code == 404
    assert (await stack.api.get("/v1/recoveries/rcv_missing")).status_code == 404
