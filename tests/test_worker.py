"""Durability: a worker process killed with SIGKILL loses no accepted callback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver
from tests.support.stack import (
    ADMIN_KEY,
    Stack,
    fast_retry,
    make_settings,
    open_stack,
    status_event,
)

pytestmark = SERIAL  # see tests/support/groups.py

ROOT = Path(__file__).resolve().parent.parent


def _worker_process(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOUTONG_TEMPORAL_ADDRESS": settings.temporal_address,
        "GOUTONG_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
        "GOUTONG_DATA_DIR": str(settings.data_dir),
        "GOUTONG_ADMIN_API_KEY": ADMIN_KEY,
        "GOUTONG_ALLOWED_TARGET_NETWORKS": ",".join(settings.allowed_target_networks),
        "GOUTONG_REGISTER_SEARCH_ATTRIBUTES": "false",
        "GOUTONG_WORKER_METRICS_PORT": "0",
        "GOUTONG_WORKER_SDK_METRICS_PORT": "0",
    }
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "worker"], cwd=ROOT, env=env, stdout=out, stderr=out
        )


@pytest_asyncio.fixture(loop_scope="session")
async def api_only(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    settings = make_settings(tmp_path, temporal_address)
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client, worker=False)


@pytest_asyncio.fixture(loop_scope="session")
async def workers(
    api_only: Stack, tmp_path: Path
) -> AsyncIterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        proc = _worker_process(api_only.settings, tmp_path / "worker.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _sigkill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


async def test_sigkill_while_retrying_still_delivers_once(
    api_only: Stack, receiver: Receiver, workers: Callable[[], subprocess.Popen[bytes]]
) -> None:
    stack = api_only
    receiver.answer(Answer(status=500), Answer(status=503))
    tenant = await stack.tenant()
    await stack.endpoint(
        tenant["id"], receiver.url, retry=fast_retry(strategy="fixed", interval_seconds=3)
    )
    first = workers()
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    await receiver.wait_for(1, timeout=60)
    _sigkill(first)  # the first try (a local activity) is answered but not yet reported

    workers()
    body = await stack.wait_status(callback_id, "delivered", timeout=90)
    # the killed worker may not have recorded its try: the log has 2 or 3, the receiver saw 3
    assert body["attempts"] in (2, 3)
    assert body["attempt_log"][-1]["status_code"] == 200
    assert [r.headers["webhook-id"] for r in receiver.requests] == [callback_id] * 3
    await asyncio.sleep(2)
    assert len(receiver.requests) == 3


async def test_sigkill_during_an_attempt_retries_after_the_timeout(
    api_only: Stack, receiver: Receiver, workers: Callable[[], subprocess.Popen[bytes]]
) -> None:
    stack = api_only
    receiver.answer(Answer(status=200, delay=3))
    tenant = await stack.tenant()
    await stack.endpoint(
        tenant["id"], receiver.url, timeout_seconds=2, retry=fast_retry(max_attempts=5)
    )
    first = workers()
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    await receiver.wait_for(1, timeout=60)
    _sigkill(first)  # the first try is in flight and will never be reported

    workers()
    body = await stack.wait_status(callback_id, "delivered", timeout=90)
    assert {r.headers["webhook-id"] for r in receiver.requests} == {callback_id}
    assert len(receiver.requests) >= 2
    assert body["attempt_log"][-1]["status_code"] == 200


async def test_sigkill_during_a_burst_loses_nothing(
    api_only: Stack, receiver: Receiver, workers: Callable[[], subprocess.Popen[bytes]]
) -> None:
    stack = api_only
    tenant = await stack.tenant()
    await stack.endpoint(
        tenant["id"], receiver.url, retry=fast_retry(strategy="fixed", interval_seconds=1)
    )
    first = workers()
    batch = [status_event(id=f"burst-{n}") for n in range(60)]
    response = await stack.api.post(
        "/v1/events/batch", json={"events": [{**e, "tenant_id": tenant["id"]} for e in batch]}
    )
    assert response.status_code == 202, response.text
    ids = [cid for e in response.json()["events"] for cid in e["callback_ids"]]
    await receiver.wait_for(10, timeout=60)
    _sigkill(first)  # some delivered, some in flight, most not yet tried

    workers()
    for callback_id in ids:
        await stack.wait_status(callback_id, "delivered", timeout=120)
    received = [r.headers["webhook-id"] for r in receiver.requests]
    assert set(received) == set(ids)  # every one arrived; a repeat only ever with its own id


async def test_sigkill_while_a_batch_waits_loses_nothing(
    api_only: Stack, receiver: Receiver, workers: Callable[[], subprocess.Popen[bytes]]
) -> None:
    stack = api_only
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, batch={"max_events": 100, "max_wait_ms": 5000})
    first = workers()
    events = [{**status_event(id=f"held-{n}"), "tenant_id": tenant["id"]} for n in range(5)]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 202, response.text
    ids = [cid for e in response.json()["events"] for cid in e["callback_ids"]]
    await asyncio.sleep(1.5)
    assert receiver.requests == []  # the batch is still open (or its tries not even started)
    _sigkill(first)  # the open batch lives only in the killed process

    workers()
    for callback_id in ids:
        await stack.wait_status(callback_id, "delivered", timeout=120)
    envelopes = [e["id"] for r in receiver.requests for e in json.loads(r.body)]
    assert sorted(envelopes) == sorted(ids)  # each once: nothing had left before the kill


async def test_every_worker_keeps_the_one_alerts_workflow(
    api_only: Stack, workers: Callable[[], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    """Each worker process starts the AlertsWorkflow with the fixed id; the second one keeps
    the run the first started, and it outlives the worker that started it."""
    log = tmp_path / "worker.log"

    async def runs(count: int) -> list[str]:
        for _ in range(300):
            lines = log.read_text().splitlines() if log.exists() else []
            found = [
                json.loads(line)["msg"].rsplit("(run ", 1)[1].rstrip(")")
                for line in lines
                if "alerts workflow" in line
            ]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.1)
        raise AssertionError(f"fewer than {count} workers started the AlertsWorkflow")

    first = workers()
    [run_id] = await runs(1)
    _sigkill(first)
    second = workers()
    assert await runs(2) == [run_id, run_id]
    handle = api_only.client.get_workflow_handle(api_only.settings.alerts_workflow_id)
    described = await handle.describe()
    assert (described.status, described.run_id) == (WorkflowExecutionStatus.RUNNING, run_id)
    assert second.poll() is None
    await handle.terminate("test over")
