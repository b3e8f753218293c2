"""Shared fixtures: one real Temporal dev server per session, a fresh stack and receivers per
test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from core import search_attributes as sa
from runtime.devstack import temporal_binary
from tests.support.receiver import Receiver
from tests.support.stack import Stack, make_settings, open_stack


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        search_attributes=list(sa.ALL_KEYS),
        dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
    )
    async with env:
        yield env


@pytest.fixture
def temporal_address(temporal_env: WorkflowEnvironment) -> str:
    return str(temporal_env.client.service_client.config.target_host)


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> AsyncIterator[Stack]:
    settings = make_settings(tmp_path, temporal_address)
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client)


@pytest_asyncio.fixture(loop_scope="session")
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def second_receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.stop()
