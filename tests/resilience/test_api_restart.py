"""Durability across an API crash: kill -9 the API process during a burst while the client
retries with the same idempotency keys; every event is delivered, none twice under new ids."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.support.api_process import ApiProcess
from tests.support.groups import SERIAL
from tests.support.receiver import Receiver
from tests.support.stack import ADMIN_KEY, Stack, make_settings, open_stack, status_event

pytestmark = SERIAL  # see tests/support/groups.py

ROOT = Path(__file__).resolve().parents[2]


@pytest_asyncio.fixture(loop_scope="session")
async def setup(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[tuple[Stack, ApiProcess]]:
    settings = make_settings(tmp_path, temporal_address)
    api = ApiProcess(settings)
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, settings, temporal_env.client)
        await asyncio.to_thread(api.start)
        try:
            yield stack, api
        finally:
            api.stop()


async def _post_until_accepted(client: httpx.AsyncClient, body: dict[str, object]) -> dict:
    """What a well-behaved producer does: retry the same event until it is accepted."""
    for _ in range(200):
        try:
            response = await client.post("/v1/events", json=body)
            if response.status_code == 202:
                return dict(response.json())
            assert response.status_code >= 500, response.text
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"event {body['id']} was never accepted")


async def test_api_crash_with_client_retries_delivers_every_event_once(
    setup: tuple[Stack, ApiProcess], receiver: Receiver
) -> None:
    stack, api = setup
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    events = [status_event(tenant_id=tenant["id"], id=f"order-{n}") for n in range(40)]
    accepted: list[dict] = []
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=10) as client:
        for n, body in enumerate(events):
            if n == 15:  # kill -9 the API while this event's request is in flight
                posting = asyncio.create_task(_post_until_accepted(client, body))
                await asyncio.sleep(0.01)
                api.kill()
                await asyncio.sleep(1.0)
                await asyncio.to_thread(api.start)
                accepted.append(await posting)
                continue
            accepted.append(await _post_until_accepted(client, body))
        # a producer that never saw some answers resends everything: all duplicates now
        resent = [await _post_until_accepted(client, body) for body in events[10:20]]
    assert all(r["duplicate"] for r in resent)
    assert [r["callback_ids"] for r in resent] == [a["callback_ids"] for a in accepted[10:20]]
    callback_ids = [cid for a in accepted for cid in a["callback_ids"]]
    assert len(callback_ids) == len(set(callback_ids)) == 40
    await receiver.wait_for(40, timeout=60)
    for callback_id in callback_ids:
        await stack.wait_status(callback_id, "delivered")
    await asyncio.sleep(1)
    assert sorted(r.headers["webhook-id"] for r in receiver.requests) == sorted(callback_ids)
