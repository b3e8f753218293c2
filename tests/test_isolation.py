"""Isolation: a slow endpoint taking half of a burst does not delay a healthy endpoint's
callbacks, and its retries run on the retry task queue with slots of their own
(docs/architecture.md, isolation). Real dev server, two real receivers on loopback.

Both options are on here (retry queue, each endpoint a 0.25 share of the slots). The worker
gets 8 first-try (local activity) slots and 2 activity slots per queue, and the breaker never
opens, so the slow endpoint's tries (10 s timeout each) would keep every slot busy for much
longer than the bound: a healthy callback that had to wait for one of those slots would miss
it. Checked by switching the isolation off: with no per-endpoint share
(GOUTONG_ENDPOINT_SLOT_SHARE=0) healthy callbacks took 18-27 s; with first tries as regular
activities on the shared queue (1 s timeout), 14-17 s; with both on, under 5 s on a loaded
2-core machine.
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from temporalio.testing import WorkflowEnvironment

from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, make_settings, open_stack

pytestmark = SERIAL  # see tests/support/groups.py

BURST = 30  # events per endpoint
BOUND = 12.0  # seconds from acceptance to arrival, generous; queued behind the slow: >= 14


def _channel(kind: str) -> dict[str, str]:
    return {"type": kind, "provider": "p", "account": "a"}


async def _post_burst(stack: Stack, tenant_id: str) -> tuple[dict[str, float], list[str]]:
    """Alternates slow and healthy events; (healthy message id -> accepted at, slow ids)."""
    healthy: dict[str, float] = {}
    slow: list[str] = []
    for i in range(BURST):
        body = await stack.post_event(tenant_id, channel=_channel("sms"), message_id=f"s{i}")
        slow += body["callback_ids"]
        await stack.post_event(tenant_id, channel=_channel("email"), message_id=f"h{i}")
        healthy[f"h{i}"] = time.monotonic()
    return healthy, slow


def _message_id(body: bytes) -> str:
    payload: dict[str, Any] = json.loads(body)
    data = payload.get("data", payload)
    return str(data["message_id"])


async def _retried_on(stack: Stack, callback_id: str) -> set[str]:
    """The task queues of the callback's regular delivery activities, once there is one."""
    for _ in range(150):
        history = await stack.handle(callback_id).fetch_history()
        queues = {
            e.activity_task_scheduled_event_attributes.task_queue.name
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
            and e.activity_task_scheduled_event_attributes.activity_type.name == "deliver"
        }
        if queues:
            return queues
        await asyncio.sleep(0.2)
    return set()


async def test_a_slow_endpoint_does_not_delay_a_healthy_one(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> None:
    settings = make_settings(
        tmp_path,
        temporal_address,
        max_concurrent_local_activities=8,  # an endpoint's share (0.25): 2 first tries
        max_concurrent_activities=2,
        retry_max_concurrent_activities=2,
        breaker_min_requests=1000,  # the breaker is not the subject: it would stop the slow
        breaker_consecutive_failures=1000,
        retry_isolation="queue",  # off by default (docs/architecture.md); on here to check it
        endpoint_slot_share=0.25,
    )
    async with AsyncExitStack() as exits:
        healthy = await exits.enter_async_context(Receiver.running())
        slow = await exits.enter_async_context(Receiver.running())
        slow.default = Answer(delay=12)  # longer than the endpoint's 10 s timeout
        stack = await open_stack(exits, settings, temporal_env.client)
        tenant = await stack.tenant()
        retry = fast_retry(max_attempts=5, max_interval_seconds=1, max_duration_seconds=600)
        for url, kind in ((healthy.url, "email"), (slow.url, "sms")):
            fields = {"retry": retry, "timeout_seconds": 10, "channels": [kind]}
            await stack.endpoint(tenant["id"], url, **fields)

        accepted, slow_ids = await _post_burst(stack, tenant["id"])
        received = await healthy.wait_for(BURST, timeout=120)
        took = {m: r.at - accepted[m] for r in received if (m := _message_id(r.body)) in accepted}
        assert len(took) == BURST
        late = {m: round(t, 1) for m, t in took.items() if t > BOUND}
        assert not late, f"healthy callbacks queued behind the slow endpoint: {late}"
        assert await _retried_on(stack, slow_ids[0]) == {settings.retry_task_queue()}
