"""Follow-on linkage against a real stack: each built-in kind and a custom follow-on worker."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook
from temporalio.client import WorkflowExecutionStatus

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.event_types import check_schema, first_problem
from tests.support.histories import keep_history
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry

ROOT = Path(__file__).resolve().parents[2]


async def _rule(stack: Stack, tenant_id: str, **body: Any) -> dict[str, Any]:
    response = await stack.api.post(
        "/v1/linkage-rules", json={"tenant_id": tenant_id, "name": "rule", **body}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _post(stack: Stack, event: dict[str, Any]) -> dict[str, Any]:
    response = await stack.api.post("/v1/events", json=event)
    assert response.status_code == 202, response.text
    return dict(response.json())


async def _child_result(stack: Stack, workflow_id: str, timeout: float = 40) -> Any:
    """The result of a follow-on child, waiting until the parent has started it."""
    deadline = time.monotonic() + timeout
    while True:
        handle = stack.client.get_workflow_handle(workflow_id)
        try:
            await handle.describe()
            return await asyncio.wait_for(handle.result(), timeout)
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


async def _suppressed(stack: Stack, tenant_id: str, recipient: str) -> dict[str, Any]:
    response = await stack.api.get(
        "/v1/suppressions/check", params={"tenant": tenant_id, "recipient": recipient}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_unsubscribe_suppresses_the_recipient_once_per_event(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    for url in (receiver.url, second_receiver.url):  # two callbacks of one event
        await stack.endpoint(tenant["id"], url)
    rule = await _rule(
        stack,
        tenant["id"],
        triggers=["event"],
        filter={"event_types": ["message.behavior.unsubscribe"]},
        action={"kind": "suppress"},
    )
    recipient = f"+86138{uuid.uuid4().int % 10**8:08d}"
    accepted = await _post(
        stack,
        {
            "tenant_id": tenant["id"],
            "type": "message.behavior.unsubscribe",
            "message_id": "msg-unsub",
            "recipient": recipient,
            "channel": {"type": "sms"},
        },
    )
    child_id = f"{accepted['event_id']}/follow-on/{rule['id']}"
    outcome = await _child_result(stack, child_id)
    assert outcome["result"] == "suppressed"
    await keep_history(stack.client.get_workflow_handle(child_id), "follow_on_suppress")
    check = await _suppressed(stack, tenant["id"], recipient)
    assert check["suppressed"] and check["entry"]["reason"] == "unsubscribe"
    assert check["entry"]["channel"] == "sms"
    for callback_id in accepted["callback_ids"]:
        result = await asyncio.wait_for(stack.handle(callback_id).result(), 40)
        assert result["state"] == "delivered"
    # exactly one child for the event, although two callbacks fired the trigger
    description = await stack.client.get_workflow_handle(child_id).describe()
    parent = description.parent_id
    assert parent is not None and parent in accepted["callback_ids"]
    await keep_history(stack.handle(parent), "follow_on_event")


async def test_permanent_failure_codes_suppress_and_others_do_not(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    await _rule(
        stack,
        tenant["id"],
        triggers=["event"],
        filter={
            "event_types": ["message.status.failed"],
            "data": {"error.code": ["hard_bounce", "invalid_number"]},
        },
        action={"kind": "suppress"},
    )
    for recipient, code in (("bounced@example.com", "hard_bounce"), ("busy@example.com", "busy")):
        accepted = await stack.post_event(
            tenant["id"],
            type="message.status.failed",
            recipient=recipient,
            error={"code": code, "description": code},
        )
        await asyncio.wait_for(stack.handle(accepted["callback_ids"][0]).result(), 40)
    assert (await _suppressed(stack, tenant["id"], "bounced@example.com"))["suppressed"]
    assert not (await _suppressed(stack, tenant["id"], "busy@example.com"))["suppressed"]


async def test_notify_sends_dead_lettered_and_recovered_to_the_operations_endpoint(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    receiver.answer(Answer(status=500))
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    ops = await stack.endpoint(
        tenant["id"], second_receiver.url, event_types=["callback.dead_lettered", "callback.*"]
    )
    await _rule(
        stack, tenant["id"], triggers=["dead_lettered", "recovered"], action={"kind": "notify"}
    )
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    [dead] = await second_receiver.wait_for(1)
    payload = Webhook(ops["secret"]).verify(dead.body, dead.headers)
    assert payload["type"] == "callback.dead_lettered"
    assert payload["data"]["callback_id"] == callback_id
    assert payload["data"]["attempts"] == 1
    schema = next(b.schema for b in BUILTIN_EVENT_TYPES if b.name == "callback.dead_lettered")
    assert first_problem(check_schema(schema), payload["data"]) is None  # as the catalogue says
    # the failing endpoint, with no type filter, never gets operational events
    assert all(b"callback." not in r.body for r in receiver.requests)

    await stack.wait_live(callback_id, "dead_lettered")
    response = await stack.api.post(f"/v1/callbacks/{callback_id}/retry")
    assert response.status_code == 202, response.text
    outcome = await asyncio.wait_for(stack.handle(callback_id).result(), 40)
    assert outcome["state"] == "delivered"
    await keep_history(stack.handle(callback_id), "follow_on_notify")
    recovered = (await second_receiver.wait_for(2))[1]
    payload = Webhook(ops["secret"]).verify(recovered.body, recovered.headers)
    assert (payload["type"], payload["data"]["callback_id"]) == ("callback.recovered", callback_id)


async def test_webhook_follow_on_posts_a_signed_derived_event(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    rule = await _rule(
        stack,
        tenant["id"],
        triggers=["delivered"],
        action={"kind": "webhook", "url": second_receiver.url, "event_type": "crm.follow_up"},
    )
    assert rule["secret"].startswith("whsec_")
    second_receiver.answer(Answer(status=503))  # the business is briefly down: retried
    accepted = await stack.post_event(tenant["id"], recipient="someone@example.com")
    [first, second] = await second_receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    payload = Webhook(rule["secret"]).verify(second.body, second.headers)
    assert payload["type"] == "crm.follow_up"
    assert payload["data"]["callback_id"] == accepted["callback_ids"][0]
    assert payload["data"]["state"] == "delivered"
    assert payload["data"]["event"]["recipient"] == "someone@example.com"
    fetched = await stack.api.get(f"/v1/linkage-rules/{rule['id']}")
    assert "secret" not in fetched.json()


async def test_escalate_after_n_dead_letters(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    receiver.default = Answer(status=500)
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    rule = await _rule(
        stack,
        tenant["id"],
        triggers=["dead_lettered"],
        action={"kind": "escalate", "threshold": 2, "window_seconds": 600},
    )
    results = []
    for _ in range(2):
        [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
        await stack.wait_live(callback_id, "dead_lettered")
        run_id = (await stack.handle(callback_id).describe()).run_id
        child = f"{callback_id}/follow-on/{rule['id']}/dead_lettered/{run_id}/1"
        results.append((await _child_result(stack, child))["result"])
    assert results == ["1 < 2", "escalated: 2 dead letters"]


async def test_custom_follow_on_runs_on_the_tenants_own_worker(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    task_queue = f"crm-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "examples" / "follow_on_worker.py"),
            "--temporal",
            stack.settings.temporal_address,
            "--task-queue",
            task_queue,
            "--tickets-url",
            second_receiver.url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        tenant = await stack.tenant()
        receiver.answer(Answer(status=500))
        await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
        rule = await _rule(
            stack,
            tenant["id"],
            triggers=["dead_lettered"],
            action={
                "kind": "workflow",
                "workflow_type": "OpenTicketOnDeadLetter",
                "task_queue": task_queue,
            },
        )
        [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
        [ticket] = await second_receiver.wait_for(1, timeout=60)
        body = json.loads(ticket.body)
        assert body["callback"]["callback_id"] == callback_id
        assert body["callback"]["rule_id"] == rule["id"]
        assert "dead-lettered after 1 attempt" in body["title"]
        run_id = (await stack.handle(callback_id).describe()).run_id
        child = stack.client.get_workflow_handle(
            f"{callback_id}/follow-on/{rule['id']}/dead_lettered/{run_id}/1"
        )
        opened = await asyncio.wait_for(child.result(), 30)
        assert opened["ticket_status"] == 200
        assert (await child.describe()).status == WorkflowExecutionStatus.COMPLETED
    finally:
        worker.terminate()
        worker.wait(10)
