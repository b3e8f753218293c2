"""GOUTONG_API_EMBEDDED_WORKER: the API process polls the task queue itself and starts callbacks
eagerly, so it delivers with no other worker anywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from tests.support.receiver import Receiver
from tests.support.stack import ADMIN_KEY, Stack, make_settings, open_stack, status_event


@pytest_asyncio.fixture(loop_scope="session")
async def api_only(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    settings = make_settings(tmp_path, temporal_address)
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client, worker=False)


async def _pollers(stack: Stack) -> int:
    described = await stack.client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=stack.settings.temporal_namespace,
            task_queue=TaskQueue(name=stack.settings.temporal_task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return len(described.pollers)


async def test_the_api_with_an_embedded_worker_delivers_alone(
    api_only: Stack, receiver: Receiver
) -> None:
    stack = api_only
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    assert await _pollers(stack) == 0  # nobody else polls this task queue
    app = create_app(stack.settings.model_copy(update={"api_embedded_worker": True}))
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", headers=headers
        ) as api:
            event = {**status_event(), "tenant_id": tenant["id"]}
            response = await api.post("/v1/events", json=event)
            assert response.status_code == 202, response.text
            [callback_id] = response.json()["callback_ids"]
            [received] = await receiver.wait_for(1, timeout=30)
            assert received.headers["webhook-id"] == callback_id
            body = await stack.wait_status(callback_id, "delivered", timeout=30)
            assert body["attempts"] == 1
            assert app.state.control.eager_starts == 1  # the start brought its first task
            history = await stack.handle(callback_id).fetch_history()
            assert len(history.events) == 7  # the eager start changes no event of the history
