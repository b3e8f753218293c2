"""Shared fixtures: one real Temporal dev server per session, a fresh stack and receivers per
test."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from core import search_attributes as sa
from runtime.devstack import temporal_binary
from tests.support.postgres import fresh_database, postgres_bin_dir, postgres_server
from tests.support.receiver import Receiver
from tests.support.served import serve
from tests.support.stack import Stack, make_settings, open_stack


@pytest.fixture
def restored_gc() -> Iterator[None]:
    """A test that tunes the garbage collector starts from Python's (nothing frozen, the young
    generation every 700 allocations), and the test process gets its own back afterwards."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, *thresholds[1:])
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


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


STORES = [s for s in os.environ.get("GOUTONG_TEST_STORES", "sqlite,postgres").split(",") if s]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server per session (skipped where it is not installed, except in CI)."""
    if postgres_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with postgres_server() as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session", params=STORES)
async def stack(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    temporal_env: WorkflowEnvironment,
    temporal_address: str,
) -> AsyncIterator[Stack]:
    """The whole service, once on each store (SQLite file; PostgreSQL database)."""
    overrides = {}
    if request.param == "postgres":
        server_url = request.getfixturevalue("postgres_url")
        overrides["database_url"] = await fresh_database(server_url)
    settings = make_settings(tmp_path, temporal_address, **overrides)
    async with AsyncExitStack() as exits:
        yield await open_stack(exits, settings, temporal_env.client)


@pytest_asyncio.fixture(loop_scope="session")
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver.running() as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def second_receiver() -> AsyncIterator[Receiver]:
    async with Receiver.running() as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def api_url(stack: Stack) -> AsyncIterator[str]:
    """The stack's API on a real loopback socket (for the sync client and the CLI)."""
    async with serve(stack.app) as url:
        yield url
