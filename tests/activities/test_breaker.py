"""The circuit breaker per endpoint and 410 Gone, end to end with a real receiver: an open
breaker sends nothing and spends no attempts, a probe closes it, 410 disables the endpoint."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import pytest_asyncio
from standardwebhooks import Webhook
from temporalio.testing import WorkflowEnvironment

from core.breaker import BreakerPolicy, should_open
from store.db import Database
from store.delivery_models import EndpointRuntime
from tests.support.histories import keep_history
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, make_settings, open_stack
from workflows.callback import CallbackWorkflow

OPEN_SECONDS = 4


@pytest_asyncio.fixture(loop_scope="session")
async def touchy(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    """A stack whose breakers open after 3 failures in a row and stay open 4 s."""
    settings = make_settings(
        tmp_path,
        temporal_address,
        breaker_consecutive_failures=3,
        breaker_open_seconds=OPEN_SECONDS,
    )
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client)


def test_policy_opens_on_failure_rate_or_consecutive_failures() -> None:
    policy = BreakerPolicy(failure_rate=0.7, min_requests=10, consecutive_failures=5)
    assert should_open(policy, requests=10, failures=7, consecutive=0)
    assert not should_open(policy, requests=10, failures=6, consecutive=4)
    assert not should_open(policy, requests=9, failures=9, consecutive=4)  # too few tries
    assert should_open(policy, requests=5, failures=5, consecutive=5)


async def test_open_breaker_sends_nothing_then_a_probe_closes_it(
    touchy: Stack, receiver: Receiver
) -> None:
    tenant = await touchy.tenant()
    receiver.answer(*[Answer(status=503)] * 3)
    retry = fast_retry(max_attempts=1)  # each failing callback dead-letters after one try
    await touchy.endpoint(tenant["id"], receiver.url, retry=retry)
    for n in range(3):
        [failed] = (await touchy.post_event(tenant["id"], message_id=f"f{n}"))["callback_ids"]
        await touchy.wait_status(failed, "dead_lettered")
    assert len(receiver.requests) == 3  # three failures in a row: the breaker opened

    opened = time.monotonic()
    [waiting] = (await touchy.post_event(tenant["id"], message_id="w"))["callback_ids"]
    await asyncio.sleep(OPEN_SECONDS / 2)
    assert len(receiver.requests) == 3  # nothing is sent while open
    status = await touchy.handle(waiting).query(CallbackWorkflow.status)
    assert status.attempts == 0 and status.last_error == "circuit open"

    body = await touchy.wait_status(waiting, "delivered", timeout=60)
    assert time.monotonic() - opened >= OPEN_SECONDS - 1  # it went as the probe
    [attempt] = body["attempt_log"]  # waiting spent no attempt (max_attempts is 1)
    assert attempt["status_code"] == 200
    await keep_history(touchy.handle(waiting), "circuit_open")

    [after] = (await touchy.post_event(tenant["id"], message_id="after"))["callback_ids"]
    await touchy.wait_status(after, "delivered", timeout=10)  # closed again: sent at once


async def test_failed_probe_opens_the_breaker_again(touchy: Stack, receiver: Receiver) -> None:
    tenant = await touchy.tenant()
    receiver.default = Answer(status=503)
    await touchy.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    for n in range(3):
        [failed] = (await touchy.post_event(tenant["id"], message_id=f"f{n}"))["callback_ids"]
        await touchy.wait_status(failed, "dead_lettered")
    [probe] = (await touchy.post_event(tenant["id"], message_id="p"))["callback_ids"]
    await touchy.wait_status(probe, "dead_lettered", timeout=60)  # the probe failed
    assert len(receiver.requests) == 4
    receiver.default = Answer()
    [later] = (await touchy.post_event(tenant["id"], message_id="l"))["callback_ids"]
    await asyncio.sleep(OPEN_SECONDS / 2)
    assert len(receiver.requests) == 4  # open again after the failed probe
    await touchy.wait_status(later, "delivered", timeout=60)


@pytest.mark.parametrize("status", [410])
async def test_gone_disables_the_endpoint_at_once(
    stack: Stack, receiver: Receiver, second_receiver: Receiver, status: int
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    ops = await stack.endpoint(tenant["id"], second_receiver.url, event_types=["endpoint.*"])
    receiver.answer(Answer(status=status))
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert len(body["attempt_log"]) == 1
    current = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert current["enabled"] is False
    assert "410 Gone" in current["disabled_reason"]
    assert current["disabled_by"] == "delivery-engine"
    [told] = await second_receiver.wait_for(1)  # the operations endpoint hears of it
    payload = Webhook(ops["secret"]).verify(told.body, told.headers)
    assert payload["type"] == "endpoint.disabled"
    assert payload["data"]["endpoint_id"] == endpoint["id"]
    assert payload["data"]["by"] == "delivery-engine"
    accepted = await stack.post_event(tenant["id"])
    assert accepted["callback_ids"] == []  # a disabled endpoint gets no new callbacks


async def test_health_shows_the_breaker_and_the_targets(
    touchy: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await touchy.tenant()
    receiver.default = Answer(status=503)
    endpoint = await touchy.endpoint(
        tenant["id"],
        None,
        targets=[{"url": receiver.url}, {"url": second_receiver.url, "weight": 2}],
        retry=fast_retry(max_attempts=1),
    )
    path = f"/v1/endpoints/{endpoint['id']}/health"
    fresh = (await touchy.api.get(path)).json()
    assert fresh["breaker"]["state"] == "closed"
    assert [t["healthy"] for t in fresh["targets"]] == [True, True]

    [callback_id] = (await touchy.post_event(tenant["id"]))["callback_ids"]
    await touchy.wait_status(callback_id, "dead_lettered")  # round robin: the first target
    body = (await touchy.api.get(path)).json()
    sick, well = body["targets"]
    assert sick["url"] == receiver.url and not sick["healthy"]
    assert sick["last_error"] == "HTTP 503" and sick["unhealthy_until"]
    assert well["healthy"] and well["weight"] == 2
    assert body["breaker"]["consecutive_failures"] == 1
    assert (await touchy.api.get("/v1/endpoints/ep_nope/health")).status_code == 404


async def test_first_tries_count_only_once_something_failed(
    stack: Stack, receiver: Receiver
) -> None:
    """A try reads the breaker with its context (one query): while nothing failed lately its
    success writes no counters; after a failure the successes count (and end the run)."""
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    db = Database(stack.settings.resolved_database_url())
    try:
        [quiet] = (await stack.post_event(tenant["id"], message_id="q"))["callback_ids"]
        await stack.wait_status(quiet, "delivered")
        assert await _runtime(db, endpoint["id"]) is None  # nothing written for the breaker

        receiver.answer(Answer(status=503))
        [failed] = (await stack.post_event(tenant["id"], message_id="f"))["callback_ids"]
        await stack.wait_status(failed, "dead_lettered")
        [healed] = (await stack.post_event(tenant["id"], message_id="h"))["callback_ids"]
        await stack.wait_status(healed, "delivered")
        row = await _runtime(db, endpoint["id"])
        assert row is not None
        assert (row.window_requests, row.window_failures, row.consecutive_failures) == (2, 1, 0)
    finally:
        await db.dispose()


async def _runtime(db: Database, endpoint_id: str) -> EndpointRuntime | None:
    async with db.session() as session:
        return await session.get(EndpointRuntime, endpoint_id)
