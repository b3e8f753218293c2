"""Alerts end to end: the AlertsWorkflow on the real Temporal dev server evaluates rules against
the store, fires and resolves, and a real receiver on loopback gets the signed alert webhooks
(verified with the standardwebhooks library); escalate follow-ons raise alerts the same way."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from standardwebhooks import Webhook
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from core.signing import generate_secret
from runtime.alerts import ensure_alerts_workflow
from tests.conftest import STORES
from tests.support.histories import keep_history
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, make_settings, open_stack

ALERT_SECRET = generate_secret()
Opener = Callable[..., Awaitable[Stack]]


@pytest_asyncio.fixture(loop_scope="session", params=STORES)
async def alerting(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    temporal_env: WorkflowEnvironment,
    temporal_address: str,
) -> AsyncIterator[Opener]:
    """Opens a stack whose AlertsWorkflow evaluates every 0.3 s and POSTs to ``webhook``."""
    async with AsyncExitStack() as exits:

        async def open_alerting(webhook: Receiver, **overrides: Any) -> Stack:
            if request.param == "postgres":
                from tests.support.postgres import fresh_database

                server = request.getfixturevalue("postgres_url")
                overrides["database_url"] = await fresh_database(server)
            settings = make_settings(
                tmp_path,
                temporal_address,
                alerts_interval_seconds=0.3,
                alert_webhook_url=webhook.url,
                alert_webhook_secret=ALERT_SECRET,
                **overrides,
            )
            stack = await open_stack(exits, settings, temporal_env.client)
            handle = await ensure_alerts_workflow(stack.client, settings)
            exits.push_async_callback(handle.terminate, "test over")
            return stack

        yield open_alerting


async def _alert_posts(webhook: Receiver, count: int, secret: str = ALERT_SECRET) -> list[dict]:
    """The first ``count`` alert webhooks, each verified as Standard Webhooks."""
    received = await webhook.wait_for(count, timeout=60)
    return [dict(Webhook(secret).verify(r.body, r.headers)) for r in received[:count]]


async def _first_of_type(webhook: Receiver, kind: str) -> dict[str, Any]:
    """The first verified alert webhook of type ``kind``, waiting for it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for request in list(webhook.requests):
            payload = dict(Webhook(ALERT_SECRET).verify(request.body, request.headers))
            if payload["type"] == kind:
                return payload
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind} alert webhook")


async def _alerts(stack: Stack, **params: str) -> list[dict[str, Any]]:
    response = await stack.api.get("/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def _evaluations(stack: Stack, more: int) -> None:
    """Waits until the AlertsWorkflow completed ``more`` evaluations after now."""

    async def done() -> tuple[str, int]:
        handle = stack.client.get_workflow_handle(stack.settings.alerts_workflow_id)
        history = await handle.fetch_history()
        completed = history.events[0].workflow_execution_started_event_attributes
        return completed.original_execution_run_id, sum(
            1
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        )

    run, start = await done()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now_run, count = await done()
        if now_run != run or count >= start + more:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the AlertsWorkflow does not evaluate")


async def test_breaker_alert_fires_and_resolves_to_the_signed_webhooks(
    alerting: Opener, receiver: Receiver, second_receiver: Receiver
) -> None:
    stack = await alerting(
        second_receiver,
        breaker_consecutive_failures=2,
        breaker_open_seconds=2,
        alerts_iterations_per_run=3,  # continues as new every ~1 s
    )
    first_run = (
        await stack.client.get_workflow_handle(stack.settings.alerts_workflow_id).describe()
    ).run_id
    tenant = await stack.tenant()
    receiver.default = Answer(status=503)
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    async with Receiver.running() as own:
        rule = await stack.api.post(
            "/v1/alert-rules",
            json={
                "tenant_id": tenant["id"],
                "name": "breaker stuck",
                "kind": "breaker_open_longer_than",
                "threshold": 1,
                "webhook_url": own.url,
            },
        )
        assert rule.status_code == 201, rule.text
        rule_secret = rule.json()["secret"]
        for n in range(2):  # two failures in a row open the breaker
            [failed] = (await stack.post_event(tenant["id"], message_id=f"f{n}"))["callback_ids"]
            await stack.wait_status(failed, "dead_lettered")

        [fired] = await _alert_posts(second_receiver, 1)
        assert fired["type"] == "alert.fired" and fired["tenant_id"] == tenant["id"]
        data = fired["data"]
        assert (data["kind"], data["endpoint_id"], data["state"]) == (
            "breaker_open_longer_than",
            endpoint["id"],
            "firing",
        )
        assert data["rule_id"] == rule.json()["id"] and data["value"] >= 1 and data["fired_at"]
        [firing] = await _alerts(stack, state="firing", tenant=tenant["id"])
        assert firing["id"] == data["alert_id"] and firing["resolved_at"] is None
        gauge = stack.worker_metrics.registry.get_sample_value(
            "goutong_alerts_firing", {"kind": "breaker_open_longer_than"}
        )
        assert gauge == 1

        receiver.default = Answer(status=200)  # the receiver is back: the probe closes it
        [healed] = (await stack.post_event(tenant["id"], message_id="ok"))["callback_ids"]
        await stack.wait_status(healed, "delivered")
        _, resolved = await _alert_posts(second_receiver, 2)
        assert resolved["type"] == "alert.resolved"
        assert resolved["data"]["alert_id"] == data["alert_id"]
        assert resolved["data"]["resolved_at"] and resolved["data"]["state"] == "resolved"
        assert second_receiver.requests[0].headers["webhook-id"] == fired["id"]

        # the rule's own URL got the same two, signed with the rule's own secret
        mine = await _alert_posts(own, 2, secret=rule_secret)
        assert [p["type"] for p in mine] == ["alert.fired", "alert.resolved"]
        with pytest.raises(Exception):  # noqa: B017 (not the operator's signature)
            Webhook(ALERT_SECRET).verify(own.requests[0].body, own.requests[0].headers)

    [done] = await _alerts(stack, tenant=tenant["id"])
    assert done["state"] == "resolved" and done["fired_at"] <= done["resolved_at"]
    assert await _alerts(stack, state="firing", tenant=tenant["id"]) == []
    await _evaluations(stack, 1)
    gauge = stack.worker_metrics.registry.get_sample_value(
        "goutong_alerts_firing", {"kind": "breaker_open_longer_than"}
    )
    assert gauge == 0

    # continue-as-new: the first run ended so, its history replays (tests/workflows/histories)
    first = stack.client.get_workflow_handle(stack.settings.alerts_workflow_id, run_id=first_run)
    history = await first.fetch_history()
    closing = history.events[-1].event_type
    assert closing == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    await keep_history(first, "alerts_continue_as_new")
    await _keep_firing_history(stack)


async def _keep_firing_history(stack: Stack) -> None:
    """Records the most recent run that sent alert webhooks (when recording histories)."""
    async for execution in stack.client.list_workflows(
        f"WorkflowId = '{stack.settings.alerts_workflow_id}' AND ExecutionStatus = 'ContinuedAsNew'"
    ):
        run = stack.client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await run.fetch_history()
        names = [
            e.activity_task_scheduled_event_attributes.activity_type.name
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ]
        if "alerts_send" in names:
            await keep_history(run, "alerts_sent")
            return


async def test_dead_letters_and_success_rate_fire_and_resolve_after_recovery(
    alerting: Opener, receiver: Receiver, second_receiver: Receiver
) -> None:
    stack = await alerting(second_receiver)
    tenant = await stack.tenant()
    receiver.default = Answer(status=422)  # fail fast: straight to dead letter
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    for body in (
        {"name": "rate", "kind": "success_rate_below", "threshold": 0.5, "min_callbacks": 3},
        {"name": "dead", "kind": "dead_letters_over", "threshold": 2},
    ):
        response = await stack.api.post(
            "/v1/alert-rules",
            json={"tenant_id": tenant["id"], "endpoint_id": endpoint["id"], "window_seconds": 600}
            | body,
        )
        assert response.status_code == 201, response.text

    async def dead_letter(n: int) -> None:
        [callback_id] = (await stack.post_event(tenant["id"], message_id=f"m{n}"))["callback_ids"]
        await stack.wait_status(callback_id, "dead_lettered")

    await dead_letter(0)
    await _evaluations(stack, 2)  # 1 failure of 1: under min_callbacks, not over the count
    assert await _alerts(stack, tenant=tenant["id"]) == []
    assert second_receiver.requests == []
    second_receiver.answer(Answer(status=500))  # the first alert POST fails: retried, not lost
    for n in (1, 2):
        await dead_letter(n)
    received = await second_receiver.wait_for(3, timeout=60)
    posts = {p["id"]: p for p in await _alert_posts(second_receiver, 3)}
    assert received[0].headers["webhook-id"] in posts  # the failed one came again
    assert sorted((p["type"], p["data"]["kind"], p["data"]["value"]) for p in posts.values()) == [
        ("alert.fired", "dead_letters_over", 3.0),
        ("alert.fired", "success_rate_below", 0.0),
    ]
    assert len(second_receiver.requests) == 3
    assert len(await _alerts(stack, state="firing", endpoint=endpoint["id"])) == 2

    receiver.default = Answer(status=200)
    started = await stack.api.post(f"/v1/endpoints/{endpoint['id']}/recover", json={})
    assert started.status_code == 202, started.text
    later = await _alert_posts(second_receiver, 5)
    assert sorted((p["type"], p["data"]["kind"]) for p in later[3:]) == [
        ("alert.resolved", "dead_letters_over"),
        ("alert.resolved", "success_rate_below"),
    ]
    resolved = await _alerts(stack, state="resolved", tenant=tenant["id"])
    assert {a["kind"] for a in resolved} == {"dead_letters_over", "success_rate_below"}
    assert all(a["resolved_at"] for a in resolved)
    only_dead = await _alerts(stack, kind="dead_letters_over", tenant=tenant["id"])
    assert [a["value"] for a in only_dead] == [3.0]


async def test_escalate_raises_an_alert_that_resolves_when_dead_letters_are_retried(
    alerting: Opener, receiver: Receiver, second_receiver: Receiver
) -> None:
    stack = await alerting(second_receiver)
    tenant = await stack.tenant()
    receiver.default = Answer(status=422)
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    second_receiver.answer(Answer(status=503))  # the alert webhook fails once: retried
    rule = await stack.api.post(
        "/v1/linkage-rules",
        json={
            "tenant_id": tenant["id"],
            "name": "page the on-call",
            "triggers": ["dead_lettered"],
            "action": {"kind": "escalate", "threshold": 2, "window_seconds": 600},
        },
    )
    assert rule.status_code == 201, rule.text
    for n in range(2):
        [callback_id] = (await stack.post_event(tenant["id"], message_id=f"e{n}"))["callback_ids"]
        await stack.wait_status(callback_id, "dead_lettered")

    failed, fired = await second_receiver.wait_for(2, timeout=60)
    assert failed.headers["webhook-id"] == fired.headers["webhook-id"]  # the same alert, again
    payload = Webhook(ALERT_SECRET).verify(fired.body, fired.headers)
    assert payload["type"] == "alert.fired"
    data = payload["data"]
    assert (data["kind"], data["rule_id"], data["endpoint_id"]) == (
        "escalation",
        rule.json()["id"],
        endpoint["id"],
    )
    assert (data["value"], data["threshold"], data["window_seconds"]) == (2, 2, 600)
    [alert] = await _alerts(stack, kind="escalation", state="firing")
    assert alert["id"] == data["alert_id"] and alert["rule_name"] == "page the on-call"

    receiver.default = Answer(status=200)
    started = await stack.api.post(f"/v1/endpoints/{endpoint['id']}/recover", json={})
    assert started.status_code == 202, started.text
    resolved = await _first_of_type(second_receiver, "alert.resolved")
    assert resolved["data"]["alert_id"] == alert["id"]
    assert resolved["data"]["resolved_value"] < 2
    [closed] = await _alerts(stack, kind="escalation")
    assert closed["state"] == "resolved"
