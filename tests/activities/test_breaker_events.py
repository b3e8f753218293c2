"""Every circuit breaker transition as an operational event, told once and visible in the API,
with a real receiver and the real Temporal dev server; the same with two worker processes
racing on one endpoint; an endpoint failing for longer than allowed is disabled."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from standardwebhooks import Webhook
from temporalio.testing import WorkflowEnvironment

from store.delivery_models import BreakerTransition
from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, make_settings, open_stack
from tests.test_worker import api_only, workers  # noqa: F401 (fixtures: API + worker processes)

pytestmark = SERIAL  # see tests/support/groups.py

OPEN_SECONDS = 3
CIRCUIT_TYPES = [f"endpoint.circuit_{s}" for s in ("opened", "half_opened", "closed")]


@pytest_asyncio.fixture(loop_scope="session")
async def touchy(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    """Breakers open after 3 failures in a row and stay open 3 s."""
    settings = make_settings(
        tmp_path,
        temporal_address,
        breaker_consecutive_failures=3,
        breaker_open_seconds=OPEN_SECONDS,
        endpoint_disable_after_seconds=0,
    )
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client)


@pytest_asyncio.fixture(loop_scope="session")
async def impatient(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    """Endpoints failing for 3 s are disabled (breakers open only after 100 failures)."""
    settings = make_settings(
        tmp_path,
        temporal_address,
        breaker_consecutive_failures=100,
        endpoint_disable_after_seconds=3,
    )
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client)


def _told(ops: dict[str, Any], received: list[Any]) -> list[dict[str, Any]]:
    """The verified operational events, oldest transition first."""
    payloads = [Webhook(ops["secret"]).verify(r.body, r.headers) for r in received]
    return sorted(payloads, key=lambda p: p["data"]["at"])


async def _fail_three(stack: Stack, tenant_id: str, prefix: str) -> None:
    for n in range(3):
        [failed] = (await stack.post_event(tenant_id, message_id=f"{prefix}{n}"))["callback_ids"]
        await stack.wait_status(failed, "dead_lettered")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_every_transition_is_told_once_and_listed(
    touchy: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await touchy.tenant()
    receiver.default = Answer(status=503)
    retry = fast_retry(max_attempts=1)
    endpoint = await touchy.endpoint(tenant["id"], receiver.url, retry=retry)
    ops = await touchy.endpoint(tenant["id"], second_receiver.url, event_types=CIRCUIT_TYPES)
    await _fail_three(touchy, tenant["id"], "f")  # closed -> open
    [probe] = (await touchy.post_event(tenant["id"], message_id="p1"))["callback_ids"]
    await touchy.wait_status(probe, "dead_lettered", timeout=60)  # -> half_open -> open
    receiver.default = Answer()
    [healed] = (await touchy.post_event(tenant["id"], message_id="p2"))["callback_ids"]
    await touchy.wait_status(healed, "delivered", timeout=60)  # -> half_open -> closed

    told = _told(ops, await second_receiver.wait_for(5))
    await asyncio.sleep(1)
    assert len(second_receiver.requests) == 5  # each once
    assert [p["type"] for p in told] == [
        "endpoint.circuit_opened",
        "endpoint.circuit_half_opened",
        "endpoint.circuit_opened",
        "endpoint.circuit_half_opened",
        "endpoint.circuit_closed",
    ]
    assert {p["data"]["endpoint_id"] for p in told} == {endpoint["id"]}
    assert told[0]["data"]["reason"] == "3 failures in a row"
    assert told[2]["data"]["reason"] == "the probe failed"

    health = (await touchy.api.get(f"/v1/endpoints/{endpoint['id']}/health")).json()
    listed = list(reversed(health["transitions"]))
    assert [t["id"] for t in listed] == [p["data"]["transition_id"] for p in told]
    assert [(t["from_state"], t["to_state"]) for t in listed] == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]
    assert health["breaker"]["state"] == "closed" and health["breaker"]["failing_since"] is None
    async with touchy.app.state.db.session() as session:  # the outbox: each marked handed over
        rows = [await session.get(BreakerTransition, t["id"]) for t in listed]
    assert all(row is not None and row.handed_over_at is not None for row in rows)

    metrics = _samples(generate_latest(touchy.worker_metrics.registry).decode())
    moves = "goutong_breaker_transitions_total"
    assert metrics[(moves, (("from_state", "closed"), ("to_state", "open")))] == 1
    assert metrics[(moves, (("from_state", "open"), ("to_state", "half_open")))] == 2
    assert metrics[(moves, (("from_state", "half_open"), ("to_state", "closed")))] == 1
    assert metrics[("goutong_throttled_waits_total", (("kind", "circuit"),))] >= 2
    state = ("endpoint_id", endpoint["id"])
    assert metrics[("goutong_breaker_state", (state, ("goutong_breaker_state", "closed")))] == 1
    assert metrics[("goutong_breaker_state", (state, ("goutong_breaker_state", "open")))] == 0


async def test_an_endpoint_failing_too_long_is_disabled(
    impatient: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await impatient.tenant()
    receiver.default = Answer(status=500)
    retry = fast_retry(strategy="fixed", interval_seconds=1, max_attempts=10)
    endpoint = await impatient.endpoint(tenant["id"], receiver.url, retry=retry)
    ops = await impatient.endpoint(tenant["id"], second_receiver.url, event_types=["endpoint.*"])
    [callback_id] = (await impatient.post_event(tenant["id"]))["callback_ids"]
    body = await impatient.wait_status(callback_id, "dead_lettered", timeout=60)
    assert len(body["attempt_log"]) < 10  # the endpoint was disabled under it

    current = (await impatient.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert current["enabled"] is False and current["disabled_by"] == "delivery-engine"
    assert current["disabled_reason"].startswith("every try failed since ")
    told = _told(ops, await second_receiver.wait_for(1))
    disabled = [p for p in told if p["type"] == "endpoint.disabled"]
    assert len(disabled) == 1 and disabled[0]["data"]["endpoint_id"] == endpoint["id"]
    audit = (
        await impatient.api.get("/v1/audit", params={"action": "endpoint.auto_disable"})
    ).json()
    [entry] = audit["data"]
    assert entry["actor"] == "delivery-engine" and entry["actor_kind"] == "system"
    assert entry["resource"] == endpoint["id"]
    metrics = _samples(generate_latest(impatient.worker_metrics.registry).decode())
    assert metrics[("goutong_endpoints_auto_disabled_total", (("reason", "failing"),))] == 1


async def test_two_worker_processes_tell_each_transition_once(
    api_only: Stack,  # noqa: F811
    workers: Callable[[], subprocess.Popen[bytes]],  # noqa: F811
    receiver: Receiver,
    second_receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOUTONG_BREAKER_CONSECUTIVE_FAILURES", "3")
    monkeypatch.setenv("GOUTONG_BREAKER_OPEN_SECONDS", str(OPEN_SECONDS))
    workers(), workers()
    stack = api_only
    tenant = await stack.tenant()
    receiver.default = Answer(status=503, delay=0.2)
    endpoint = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=1))
    ops = await stack.endpoint(tenant["id"], second_receiver.url, event_types=CIRCUIT_TYPES)
    ids: list[str] = []
    for n in range(8):  # both workers fail at once: it opens once
        ids += (await stack.post_event(tenant["id"], message_id=f"m{n}"))["callback_ids"]
    path = f"/v1/endpoints/{endpoint['id']}/health"
    for _ in range(300):  # the worker processes start, fail three times and open it
        if (await stack.api.get(path)).json()["breaker"]["state"] == "open":
            break
        await asyncio.sleep(0.2)
    receiver.default = Answer()
    for n in range(4):  # these wait; whichever worker probes first closes it
        ids += (await stack.post_event(tenant["id"], message_id=f"w{n}"))["callback_ids"]
    await asyncio.gather(
        *(stack.wait_status(i, "delivered", "dead_lettered", timeout=90) for i in ids)
    )

    health = (await stack.api.get(path)).json()
    moves = [(t["from_state"], t["to_state"]) for t in reversed(health["transitions"])]
    assert moves == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    told = _told(ops, await second_receiver.wait_for(3, timeout=60))
    await asyncio.sleep(1)
    assert len(second_receiver.requests) == 3
    assert [p["data"]["transition_id"] for p in told] == [
        t["id"] for t in reversed(health["transitions"])
    ]
