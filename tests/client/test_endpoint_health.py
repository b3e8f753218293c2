"""An endpoint's health check configuration and its health view through both clients."""

from __future__ import annotations

import asyncio

from client import AsyncGouTongClient, GouTongClient
from tests.support.receiver import Receiver
from tests.support.stack import ADMIN_KEY, Stack


def _sync_round(client: GouTongClient, tenant: str, url: str) -> None:
    endpoint = client.endpoints.create(
        tenant_id=tenant, url=url, health_check={"path": "/healthz", "interval_seconds": 60}
    )
    assert endpoint.health_check is not None and endpoint.health_check.path == "/healthz"
    health = client.endpoints.health(endpoint.id)
    assert health.breaker.state == "closed" and health.transitions == []
    assert [t.url for t in health.targets] == [url]
    assert client.endpoints.update(endpoint.id, health_check=None).health_check is None


async def test_health_check_and_health_view_sync_and_async(
    stack: Stack, api_url: str, receiver: Receiver
) -> None:
    tenant = (await stack.tenant())["id"]
    with GouTongClient(api_url, ADMIN_KEY) as client:
        await asyncio.to_thread(_sync_round, client, tenant, receiver.url)
    async with AsyncGouTongClient(api_url, ADMIN_KEY) as aclient:
        endpoint = await aclient.endpoints.create(tenant_id=tenant, url=receiver.url)
        health = await aclient.endpoints.health(endpoint.id)
        assert health.endpoint_id == endpoint.id and health.breaker.failing_since is None
