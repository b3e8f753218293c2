"""Batched delivery end to end (real Temporal dev server, real receiver on loopback): events
arrive as JSON arrays in fewer POSTs, each id once, signed over the exact array body; a batch
that is not full goes after max_wait_ms; a failed batch is retried per callback; endpoints
without batch settings are unchanged."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from standardwebhooks import Webhook

from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, status_event


async def _post_events(stack: Stack, tenant_id: str, count: int) -> list[str]:
    """Accepts ``count`` events in one request (/v1/events/batch); their callback ids."""
    events = [status_event(tenant_id=tenant_id, message_id=f"m{n}") for n in range(count)]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 202, response.text
    return [i for accepted in response.json()["events"] for i in accepted["callback_ids"]]


async def _all(stack: Stack, ids: list[str], *states: str) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(stack.wait_status(i, *states) for i in ids)))


def _verified(secret: str, request: Any) -> list[dict[str, Any]]:
    """The array of a batch POST, after its signature is checked by the Standard Webhooks
    library over the raw body."""
    payload = Webhook(secret).verify(request.body, request.headers)
    assert isinstance(payload, list)
    return payload


async def test_events_arrive_as_signed_arrays_in_fewer_posts(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"], receiver.url, batch={"max_events": 4, "max_wait_ms": 3000}
    )
    ids = await _post_events(stack, tenant["id"], 8)
    await _all(stack, ids, "delivered")

    seen: list[str] = []
    batch_of: dict[str, str] = {}
    for request in receiver.requests:
        envelopes = _verified(endpoint["secret"], request)
        assert 1 <= len(envelopes) <= 4
        assert request.headers["webhook-id"].startswith("bat_")
        assert request.headers["content-type"] == "application/json"
        for envelope in envelopes:
            seen.append(envelope["id"])
            batch_of[envelope["id"]] = request.headers["webhook-id"]
            assert envelope["tenant_id"] == tenant["id"]
    assert sorted(seen) == sorted(ids)  # every event once
    assert len(receiver.requests) < len(ids)  # fewer POSTs than events
    registry = stack.worker_metrics.registry
    assert registry.get_sample_value("goutong_batch_size_sum") == len(ids)
    assert registry.get_sample_value("goutong_batch_size_count") == len(receiver.requests)
    for callback_id in ids:  # each callback's own attempt log names the POST it rode in
        [attempt] = (await stack.callback(callback_id))["attempt_log"]
        assert attempt["status_code"] == 200
        assert attempt["batch_id"] == batch_of[callback_id]


async def test_a_batch_that_is_not_full_goes_after_max_wait(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"], receiver.url, batch={"max_events": 100, "max_wait_ms": 500}
    )
    ids = await _post_events(stack, tenant["id"], 3)
    await _all(stack, ids, "delivered")
    envelopes = [e for r in receiver.requests for e in _verified(endpoint["secret"], r)]
    assert sorted(e["id"] for e in envelopes) == sorted(ids)


async def test_a_failed_batch_is_retried_per_callback(stack: Stack, receiver: Receiver) -> None:
    receiver.answer(Answer(status=503, body=b"busy"))
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"],
        receiver.url,
        batch={"max_events": 3, "max_wait_ms": 3000},
        retry=fast_retry(),
    )
    ids = await _post_events(stack, tenant["id"], 3)
    details = await _all(stack, ids, "delivered")

    first, *later = receiver.requests
    failed_batch = first.headers["webhook-id"]
    assert sorted(e["id"] for e in _verified(endpoint["secret"], first)) == sorted(ids)
    redelivered = [e["id"] for r in later for e in _verified(endpoint["secret"], r)]
    assert sorted(redelivered) == sorted(ids)  # each once more, in whatever batch came next
    assert all(r.headers["webhook-id"] != failed_batch for r in later)
    for detail in details:
        failed, delivered = detail["attempt_log"]
        assert (failed["attempt"], failed["status_code"]) == (1, 503)
        assert failed["batch_id"] == failed_batch and failed["response_excerpt"] == "busy"
        assert (delivered["attempt"], delivered["status_code"]) == (2, 200)
        assert delivered["batch_id"] not in (None, failed_batch)


async def test_an_endpoint_without_batch_gets_one_object_per_post(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    ids = await _post_events(stack, tenant["id"], 3)
    await _all(stack, ids, "delivered")
    assert len(receiver.requests) == 3
    for request in receiver.requests:
        payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
        assert isinstance(payload, dict)
        assert request.headers["webhook-id"] == payload["id"]
        assert json.loads(request.body)["id"] in ids
    for callback_id in ids:
        [attempt] = (await stack.callback(callback_id))["attempt_log"]
        assert attempt["batch_id"] is None


async def test_a_redirect_of_a_batched_callback_goes_alone(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.default = Answer(status=500)
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"],
        receiver.url,
        batch={"max_events": 10, "max_wait_ms": 100},
        retry=fast_retry(strategy="fixed", interval_seconds=5, max_attempts=10),
    )
    [callback_id] = await _post_events(stack, tenant["id"], 1)
    await stack.wait_live(callback_id, "retrying")
    response = await stack.api.post(
        f"/v1/callbacks/{callback_id}/redirect", json={"url": second_receiver.url}
    )
    assert response.status_code == 202, response.text
    detail = await stack.wait_status(callback_id, "delivered")
    [request] = second_receiver.requests
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert isinstance(payload, dict) and payload["id"] == request.headers["webhook-id"]
    assert payload["id"] == callback_id
    assert receiver.requests[0].headers["webhook-id"].startswith("bat_")
    assert detail["attempt_log"][0]["batch_id"] is not None
    assert detail["attempt_log"][-1]["batch_id"] is None
