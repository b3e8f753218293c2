"""Send-time SSRF guard: a worker that does not allow the target's network records a final,
non-retryable failure and never connects."""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.adapters import open_adapters
from store.db import Database
from tests.support.receiver import Receiver
from tests.support.stack import fast_retry, make_settings, open_stack
from worker import build_worker, http_client


async def test_worker_refuses_a_target_its_settings_do_not_allow(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str, receiver: Receiver
) -> None:
    """The API accepted a loopback target (its settings allow loopback); the worker's do not."""
    api_settings = make_settings(tmp_path, temporal_address)
    worker_settings = api_settings.model_copy(update={"allowed_target_networks": []})
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, api_settings, temporal_env.client, worker=False)
        db = Database(worker_settings.resolved_database_url())
        exits.push_async_callback(db.dispose)
        http = await exits.enter_async_context(http_client(worker_settings))
        adapters = await exits.enter_async_context(open_adapters(worker_settings))
        worker = build_worker(temporal_env.client, worker_settings, db, http, None, adapters)
        await exits.enter_async_context(worker)

        tenant = await stack.tenant()
        await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry(max_attempts=5))
        [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
        body = await stack.wait_status(callback_id, "dead_lettered")

    [attempt] = body["attempt_log"]  # no retries: trying again cannot help
    assert attempt["status_code"] is None
    assert "127.0.0.1 is a loopback address" in attempt["error"]
    assert receiver.requests == []
