"""The delivery activity, end to end: a real receiver verifies what it gets."""

from __future__ import annotations

import base64
import json

from standardwebhooks import Webhook

from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


async def test_delivered_callback_verifies_with_standard_webhooks(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, headers={"X-Tenant-Token": "abc"})
    accepted = await stack.post_event(tenant["id"], message_id="msg-42", metadata={"order": 7})
    [callback_id] = accepted["callback_ids"]

    [request] = await receiver.wait_for(1)
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["id"] == callback_id == request.headers["webhook-id"]
    assert payload["type"] == "message.status.delivered"
    assert payload["message_id"] == "msg-42"
    assert payload["data"]["status"] == "delivered"
    assert payload["data"]["channel"]["provider"] == "aliyun"
    assert payload["metadata"] == {"order": 7}
    assert request.headers["x-tenant-token"] == "abc"
    assert request.headers["content-type"] == "application/json"

    body = await stack.wait_status(callback_id, "delivered")
    [attempt] = body["attempt_log"]
    assert attempt["status_code"] == 200
    assert attempt["trigger"] == "scheduled"
    assert attempt["response_excerpt"] == "ok"
    assert attempt["target_url"] == receiver.url


async def test_signature_with_wrong_secret_fails_verification(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    await stack.post_event(tenant["id"])
    [request] = await receiver.wait_for(1)
    other = "whsec_" + "A" * 43 + "="
    try:
        Webhook(other).verify(request.body, request.headers)
    except Exception as exc:
        assert "signature" in str(exc).lower()
    else:
        raise AssertionError("a wrong secret verified")


async def test_response_excerpt_is_truncated_and_error_recorded(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=2))
    receiver.answer(Answer(status=500, body=b"x" * 10_000))
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    body = await stack.wait_status(callback_id, "delivered")
    first, second = body["attempt_log"]
    assert first["status_code"] == 500
    assert first["error"] == "HTTP 500"
    assert len(first["response_excerpt"]) == stack.settings.response_excerpt_bytes
    assert second["status_code"] == 200
    assert json.loads(receiver.requests[0].body) == json.loads(receiver.requests[1].body)


async def test_secret_and_payload_stay_out_of_temporal_history(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"], receiver.url, headers={"Authorization": "Bearer receiver-token-xyz"}
    )
    marker = "payload-marker-5f3a9c"
    accepted = await stack.post_event(
        tenant["id"], detail=marker, recipient="+8613800138000", metadata={"m": marker}
    )
    [callback_id] = accepted["callback_ids"]
    await stack.wait_status(callback_id, "delivered")
    history = _readable(json.loads((await stack.handle(callback_id).fetch_history()).to_json()))
    assert '"endpoint_id"' in history  # payloads were decoded, so the search is real
    secret_body = endpoint["secret"].removeprefix("whsec_")
    for needle in (secret_body, marker, "+8613800138000", "receiver-token-xyz"):
        assert needle not in history, needle
    assert callback_id in history


def _readable(node: object) -> str:
    """History JSON with every payload's base64 ``data`` decoded, so the search sees it."""
    parts: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if "metadata" in value and isinstance(value.get("data"), str):
                parts.append(base64.b64decode(value["data"]).decode(errors="replace"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            parts.append(str(value))

    walk(node)
    return "\n".join(parts)
