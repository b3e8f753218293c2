"""CallbackWorkflow behaviours against a real Temporal dev server and real receivers."""

from __future__ import annotations

import asyncio

import pytest
from standardwebhooks import Webhook
from temporalio.client import WorkflowExecutionStatus

from core.callback_contracts import CallbackOutcome
from tests.support.groups import SERIAL
from tests.support.histories import keep_history
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


async def _outcome(stack: Stack, callback_id: str, name: str | None = None) -> CallbackOutcome:
    handle = stack.handle(callback_id)
    result = await asyncio.wait_for(handle.result(), 60)
    if name:
        await keep_history(handle, name)
    return CallbackOutcome(**result) if isinstance(result, dict) else result


async def _setup(stack: Stack, receiver: Receiver, **endpoint: object) -> tuple[dict, str]:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], receiver.url, **endpoint)
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    return created, callback_id


async def test_first_try_delivery(stack: Stack, receiver: Receiver) -> None:
    _, callback_id = await _setup(stack, receiver)
    outcome = await _outcome(stack, callback_id, "delivered_first_try")
    assert (outcome.state, outcome.attempts) == ("delivered", 1)


@SERIAL  # bounds on the spacing measured at the receiver
async def test_retries_follow_the_declared_exponential_spacing(
    stack: Stack, receiver: Receiver
) -> None:
    receiver.answer(Answer(status=500), Answer(status=502))
    endpoint, callback_id = await _setup(
        stack, receiver, retry=fast_retry(initial_interval_seconds=1, backoff_coefficient=2)
    )
    outcome = await _outcome(stack, callback_id, "retried_then_delivered")
    assert (outcome.state, outcome.attempts) == ("delivered", 3)
    times = [r.at for r in receiver.requests]
    first_gap, second_gap = times[1] - times[0], times[2] - times[1]
    assert 0.8 <= first_gap <= 2.2, first_gap
    assert 1.8 <= second_gap <= 3.4, second_gap
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert ids == {callback_id}
    for request in receiver.requests:  # every retry is signed afresh and verifies
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
    log = (await stack.callback(callback_id))["attempt_log"]
    assert [a["status_code"] for a in log] == [500, 502, 200]
    assert [a["attempt"] for a in log] == [1, 2, 3]


@SERIAL  # bounds on the spacing measured at the receiver
async def test_fixed_strategy_spacing(stack: Stack, receiver: Receiver) -> None:
    receiver.answer(Answer(status=500), Answer(status=500))
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=2, max_attempts=3)
    )
    await _outcome(stack, callback_id)
    times = [r.at for r in receiver.requests]
    for gap in (times[1] - times[0], times[2] - times[1]):
        assert 1.8 <= gap <= 3.4, gap


@SERIAL  # bounds on the spacing measured at the receiver
async def test_retry_after_sets_the_next_delay(stack: Stack, receiver: Receiver) -> None:
    receiver.answer(Answer(status=429, headers={"Retry-After": "3"}))
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=1)
    )
    outcome = await _outcome(stack, callback_id, "retry_after")
    assert outcome.state == "delivered"
    gap = receiver.requests[1].at - receiver.requests[0].at
    assert 2.8 <= gap <= 4.6, gap


@pytest.mark.parametrize("code", [400, 404, 410, 422])
async def test_fail_fast_codes_dead_letter_without_retry(
    stack: Stack, receiver: Receiver, code: int
) -> None:
    receiver.default = Answer(status=code)
    _, callback_id = await _setup(stack, receiver, retry=fast_retry(max_attempts=5))
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert body["attempts"] == 1
    assert body["last_error"] == f"HTTP {code}"
    await asyncio.sleep(1.5)
    assert len(receiver.requests) == 1


async def test_redirects_are_failures(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=302, headers={"Location": "http://127.0.0.1:1/x"})
    _, callback_id = await _setup(stack, receiver, retry=fast_retry(max_attempts=2))
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert body["attempts"] == 2
    assert body["last_status_code"] == 302


async def test_dead_letter_then_manual_retry_delivers(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=500)
    _, callback_id = await _setup(stack, receiver, retry=fast_retry(max_attempts=2))
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert body["attempts"] == 2
    await stack.wait_live(callback_id, "dead_lettered")
    assert (await stack.handle(callback_id).describe()).status == WorkflowExecutionStatus.RUNNING

    receiver.default = Answer(status=200)
    response = await stack.api.post(f"/v1/callbacks/{callback_id}/retry", json={"reason": "fixed"})
    assert response.status_code == 202, response.text
    outcome = await _outcome(stack, callback_id, "dead_letter_manual_retry")
    assert (outcome.state, outcome.attempts) == ("delivered", 3)
    log = (await stack.callback(callback_id))["attempt_log"]
    assert [a["trigger"] for a in log] == ["scheduled", "scheduled", "manual"]


async def test_manual_retry_that_fails_returns_to_dead_letter(
    stack: Stack, receiver: Receiver
) -> None:
    receiver.default = Answer(status=500)
    _, callback_id = await _setup(stack, receiver, retry=fast_retry(max_attempts=1))
    await stack.wait_live(callback_id, "dead_lettered")
    await stack.api.post(f"/v1/callbacks/{callback_id}/retry")
    await receiver.wait_for(2)
    await stack.wait_live(callback_id, "dead_lettered")
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert body["attempts"] == 2


async def test_pause_stops_attempts_and_resume_continues(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=503)
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=3, max_attempts=10)
    )
    await receiver.wait_for(1)
    await stack.wait_live(callback_id, "retrying")
    assert (await stack.api.post(f"/v1/callbacks/{callback_id}/pause")).status_code == 202
    await stack.wait_status(callback_id, "paused")
    seen = len(receiver.requests)
    await asyncio.sleep(4)
    assert len(receiver.requests) == seen, "a paused callback was attempted"
    live = (await stack.callback(callback_id))["live"]
    assert live["state"] == "paused"

    receiver.default = Answer(status=200)
    assert (await stack.api.post(f"/v1/callbacks/{callback_id}/resume")).status_code == 202
    outcome = await _outcome(stack, callback_id, "pause_resume")
    assert outcome.state == "delivered"
    assert outcome.attempts == seen + 1


async def test_cancel_ends_the_callback(stack: Stack, receiver: Receiver) -> None:
    receiver.default = Answer(status=500)
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=5, max_attempts=10)
    )
    await stack.wait_live(callback_id, "retrying")
    assert (await stack.api.post(f"/v1/callbacks/{callback_id}/cancel")).status_code == 202
    outcome = await _outcome(stack, callback_id, "cancelled")
    assert outcome.state == "cancelled"
    body = await stack.wait_status(callback_id, "cancelled")
    assert body["live"] is None
    again = await stack.api.post(f"/v1/callbacks/{callback_id}/pause")
    assert again.status_code == 409
    assert again.json()["code"] == "callback_closed"


async def test_redirect_delivers_once_elsewhere(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.default = Answer(status=500)
    endpoint, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=5, max_attempts=10)
    )
    await stack.wait_live(callback_id, "retrying")
    response = await stack.api.post(
        f"/v1/callbacks/{callback_id}/redirect", json={"url": second_receiver.url}
    )
    assert response.status_code == 202, response.text
    outcome = await _outcome(stack, callback_id, "redirect")
    assert outcome.state == "delivered"
    [request] = second_receiver.requests
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["id"] == callback_id
    log = (await stack.callback(callback_id))["attempt_log"]
    assert log[-1]["target_url"] == second_receiver.url
    assert log[-1]["trigger"] == "manual"


async def test_status_query_reports_attempts_and_next_attempt(
    stack: Stack, receiver: Receiver
) -> None:
    receiver.default = Answer(status=500)
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=30, max_attempts=3)
    )
    await stack.wait_live(callback_id, "retrying")
    body = await stack.callback(callback_id)
    live = body["live"]
    assert live["attempts"] == 1
    assert live["last_error"] == "HTTP 500"
    assert live["last_status_code"] == 500
    assert live["next_attempt_at"] is not None
    assert body["status"] == "retrying"
    assert body["next_attempt_at"] is not None
    await stack.api.post(f"/v1/callbacks/{callback_id}/cancel")
    await _outcome(stack, callback_id)


async def test_retry_now_skips_the_wait(stack: Stack, receiver: Receiver) -> None:
    receiver.answer(Answer(status=500))
    _, callback_id = await _setup(
        stack, receiver, retry=fast_retry(strategy="fixed", interval_seconds=60, max_attempts=3)
    )
    await stack.wait_live(callback_id, "retrying")
    await stack.api.post(f"/v1/callbacks/{callback_id}/retry")
    outcome = await asyncio.wait_for(_outcome(stack, callback_id, "retry_now"), 20)
    assert (outcome.state, outcome.attempts) == ("delivered", 2)
    log = (await stack.callback(callback_id))["attempt_log"]
    assert log[-1]["trigger"] == "manual"


async def test_dead_letter_retention_closes_the_workflow(stack: Stack, receiver: Receiver) -> None:
    stack.settings.dead_letter_retention_days = 2 / 86400  # two seconds
    receiver.default = Answer(status=500)
    _, callback_id = await _setup(stack, receiver, retry=fast_retry(max_attempts=1))
    outcome = await _outcome(stack, callback_id, "dead_letter_retention")
    assert outcome.state == "dead_lettered"
    # a closed dead letter can still be retried: a new run with one manual attempt
    receiver.default = Answer(status=200)
    response = await stack.api.post(f"/v1/callbacks/{callback_id}/retry")
    assert response.status_code == 202, response.text
    body = await stack.wait_status(callback_id, "delivered")
    assert body["attempt_log"][-1]["trigger"] == "manual"
