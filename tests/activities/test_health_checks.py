"""Active health checks with real receivers on loopback and the real Temporal dev server: a
dead target is taken out of rotation by the check, and comes back once it answers again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy

from activities.health_checks import HealthCheckActivities, health_url
from core.delivery_contracts import HealthCheckInput, HealthCheckRun
from core.netguard import NetGuard
from runtime.metrics import Metrics
from runtime.secrets import load_secret_box
from store.db import Database
from tests.support.histories import keep_history
from tests.support.receiver import Receiver
from tests.support.stack import Stack, fast_retry
from workflows.health_check import HealthCheckWorkflow, health_check_workflow_id

CHECK = {"path": "/healthz?deep=1", "interval_seconds": 1, "timeout_seconds": 1}


def test_health_url_keeps_the_target_origin() -> None:
    assert health_url("https://u:p@h.example:8443/cb?x=1", "/up?deep=1") == (
        "https://u:p@h.example:8443/up?deep=1"
    )


async def _target_health(stack: Stack, endpoint_id: str, index: int, healthy: bool) -> Any:
    deadline = time.monotonic() + 30
    while True:
        body = (await stack.api.get(f"/v1/endpoints/{endpoint_id}/health")).json()
        target = body["targets"][index]
        if target["healthy"] is healthy:
            return target
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.2)


def _deliveries(receiver: Receiver) -> int:
    return sum(1 for r in receiver.requests if r.path == "/hook")


async def _deliver(stack: Stack, tenant_id: str, count: int) -> None:
    for _ in range(count):
        [callback_id] = (await stack.post_event(tenant_id))["callback_ids"]
        await stack.wait_status(callback_id, "delivered")


async def test_a_dead_target_is_checked_out_and_back_in(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(
        tenant["id"],
        None,
        targets=[{"url": receiver.url}, {"url": second_receiver.url}],
        health_check=CHECK,
        retry=fast_retry(),
    )
    assert endpoint["health_check"] == {**CHECK, "interval_seconds": 1.0, "timeout_seconds": 1.0}
    await second_receiver.wait_for(1)
    probe = second_receiver.requests[0]
    assert probe.path == "/healthz" and probe.body == b""

    port = second_receiver.port
    await second_receiver.stop()  # dead: connection refused
    down = await _target_health(stack, endpoint["id"], 1, healthy=False)
    assert down["last_error"].startswith("health check: ")
    await _deliver(stack, tenant["id"], 4)
    assert _deliveries(receiver) == 4  # nothing went to the dead target

    revived = Receiver()
    revived.port = port
    revived._server.config.port = port
    await revived.start()
    try:
        await _target_health(stack, endpoint["id"], 1, healthy=True)
        await _deliver(stack, tenant["id"], 4)
        assert _deliveries(revived) >= 1  # back in rotation
    finally:
        await revived.stop()

    metrics = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(
            generate_latest(stack.worker_metrics.registry).decode()
        )
        for s in family.samples
    }
    assert metrics[("goutong_health_checks_total", (("result", "unhealthy"),))] >= 1
    shown = second_receiver.url
    key = ("goutong_target_healthy", (("endpoint_id", endpoint["id"]), ("target", shown)))
    assert metrics[key] == 1

    patched = await stack.api.patch(f"/v1/endpoints/{endpoint['id']}", json={"health_check": None})
    assert patched.status_code == 200 and patched.json()["health_check"] is None
    workflow_id = health_check_workflow_id(endpoint["id"])
    handle = stack.client.get_workflow_handle_for(HealthCheckWorkflow.run, workflow_id)
    last = await asyncio.wait_for(handle.result(), 30)  # no health check: the checks end
    assert last.next_check_seconds is None
    await keep_history(handle, "health_check")


async def test_health_check_configuration_is_checked(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "url": receiver.url, "health_check": {"path": "healthz"}}
    bad = await stack.api.post("/v1/endpoints", json=body)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    redis = {
        "tenant_id": tenant["id"],
        "protocol": "redis_stream",
        "targets": [{"url": "redis://127.0.0.1:6379/0", "stream": "s"}],
        "health_check": {"path": "/healthz"},
    }
    refused = await stack.api.post("/v1/endpoints", json=redis)
    assert refused.status_code == 422 and refused.json()["code"] == "health_check_not_supported"

    template = await stack.api.post(
        "/v1/endpoint-templates",
        json={"tenant_id": tenant["id"], "name": "checked", "config": {"health_check": CHECK}},
    )
    assert template.status_code == 201, template.text
    made = await stack.endpoint(tenant["id"], receiver.url, template_id=template.json()["id"])
    assert made["health_check"]["path"] == CHECK["path"]
    from_template = {**redis, "template_id": template.json()["id"]}
    refused = await stack.api.post("/v1/endpoints", json=from_template)
    assert refused.status_code == 422 and refused.json()["code"] == "health_check_not_supported"


async def test_checks_go_through_the_ssrf_guard(stack: Stack, receiver: Receiver) -> None:
    """A worker whose guard does not allow loopback sends no check there; the target is down."""
    tenant = await stack.tenant()
    check = {"path": "/up", "interval_seconds": 3600}
    endpoint = await stack.endpoint(tenant["id"], receiver.url, health_check=check)
    await receiver.wait_for(1)  # the worker's own first round (loopback allowed there)
    await asyncio.sleep(0.5)
    seen = len(receiver.requests)
    db = Database(stack.settings.resolved_database_url())
    try:
        checks = HealthCheckActivities(
            db=db,
            box=load_secret_box(stack.settings),
            guard=NetGuard([]),  # production's default: public addresses only
            settings=stack.settings,
            metrics=Metrics(),
        )
        result = await checks.check_health(HealthCheckRun(endpoint["id"]))
    finally:
        await db.dispose()
    assert (result.healthy, result.unhealthy) == (0, 1)
    assert len(receiver.requests) == seen  # nothing sent
    body = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}/health")).json()
    [target] = body["targets"]
    assert not target["healthy"] and "health check: " in target["last_error"]


async def test_checks_continue_as_new_and_end_without_a_health_check(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, health_check=CHECK)
    workflow_id = health_check_workflow_id(endpoint["id"])
    await stack.client.get_workflow_handle(workflow_id).terminate("replaced by the test")
    started = await stack.client.start_workflow(
        HealthCheckWorkflow.run,
        HealthCheckInput(endpoint["id"], rounds_per_run=2),
        id=workflow_id,
        task_queue=stack.settings.temporal_task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    first = stack.client.get_workflow_handle(workflow_id, run_id=started.result_run_id)
    deadline = time.monotonic() + 30
    while (await first.describe()).status != WorkflowExecutionStatus.CONTINUED_AS_NEW:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    await keep_history(first, "health_check_continue_as_new")
    checks = sum(1 for r in receiver.requests if r.path == "/healthz")
    assert checks >= 2

    await stack.api.patch(f"/v1/endpoints/{endpoint['id']}", json={"health_check": None})
    latest = stack.client.get_workflow_handle_for(HealthCheckWorkflow.run, workflow_id)
    last = await asyncio.wait_for(latest.result(), 30)
    assert last.next_check_seconds is None
