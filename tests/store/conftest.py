"""The store's tests run on both stores: a fresh SQLite file, a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from store.db import Database
from tests.conftest import STORES
from tests.support.postgres import fresh_database


@pytest_asyncio.fixture(loop_scope="session", params=STORES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgres":
        server_url = request.getfixturevalue("postgres_url")
        url = (await fresh_database(server_url)).replace("postgresql://", "postgresql+asyncpg://")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'state.db'}"
    database = Database(url)
    await database.create_schema()
    yield database
    await database.dispose()
