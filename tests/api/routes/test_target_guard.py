"""Configuration-time SSRF guard: endpoint create/update and redirects refuse private,
loopback, link-local and reserved targets with 422 ``target_not_allowed``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from tests.support.api import expect_error
from tests.support.receiver import Receiver
from tests.support.stack import Stack, make_settings, open_stack

REFUSED = [
    "http://10.0.0.8/hook",
    "http://192.168.1.20:8080/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://127.0.0.1:9000/callbacks",
    "http://localhost:9000/callbacks",  # a name resolving to loopback
    "http://[::1]:9000/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "http://[::ffff:a00:1]/hook",  # IPv4-mapped 10.0.0.1
    "http://2130706433/hook",  # decimal 127.0.0.1
    "http://0x7f.0.0.1/hook",  # hex
    "http://0/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
]


@pytest_asyncio.fixture(loop_scope="session")
async def strict(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    """The API with the production rule: no network allowed beyond public addresses."""
    settings = make_settings(tmp_path, temporal_address, allowed_target_networks=[])
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client, worker=False)


@pytest.mark.parametrize("url", REFUSED)
async def test_endpoint_with_a_non_public_target_is_refused(strict: Stack, url: str) -> None:
    tenant = await strict.tenant()
    response = await strict.api.post("/v1/endpoints", json={"tenant_id": tenant["id"], "url": url})
    body = expect_error(response, 422, "target_not_allowed")
    assert "GOUTONG_ALLOWED_TARGET_NETWORKS" in body["message"]
    assert body["details"]["reason"]


async def test_update_to_a_non_public_target_is_refused_and_changes_nothing(strict: Stack) -> None:
    tenant = await strict.tenant()
    endpoint = await strict.endpoint(tenant["id"], "https://hooks.shop.example/goutong")
    path = f"/v1/endpoints/{endpoint['id']}"
    response = await strict.api.patch(path, json={"url": "http://169.254.169.254/"})
    expect_error(response, 422, "target_not_allowed")
    assert (await strict.api.get(path)).json()["url"] == "https://hooks.shop.example/goutong"


async def test_public_and_unresolvable_targets_are_accepted(strict: Stack) -> None:
    tenant = await strict.tenant()
    for url in ("https://8.8.8.8/hook", "https://hooks.shop.example/goutong"):
        await strict.endpoint(tenant["id"], url)


async def test_redirect_to_a_non_public_target_is_refused(stack: Stack, receiver: Receiver) -> None:
    """Loopback is allowed in the test stack, 10.0.0.0/8 is not."""
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    await stack.wait_status(callback_id, "delivered")
    response = await stack.api.post(
        f"/v1/callbacks/{callback_id}/redirect", json={"url": "http://10.1.1.1/hook"}
    )
    expect_error(response, 422, "target_not_allowed")
