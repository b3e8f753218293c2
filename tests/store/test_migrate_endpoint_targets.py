"""Migration 0006: an endpoint stored before targets existed gets its url as its one target."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from store.db import Database
from store.endpoints import delivery_spec, get_endpoint
from store.migrate import alembic_config
from tests.support.postgres import fresh_database


async def _to(engine: AsyncEngine, revision: str) -> None:
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
        await conn.commit()


async def _old_endpoint_gets_one_target(url: str) -> None:
    engine = create_async_engine(url)
    try:
        await _to(engine, "0002")
        async with engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO tenant VALUES ('tnt_1', 's', '', :t, :t)"),
                {"t": datetime(2026, 1, 1)},
            )
            await conn.execute(
                text(
                    "INSERT INTO endpoint (id, tenant_id, name, url, event_types, channels, secret,"
                    " headers, timeout_seconds, retry, enabled, created_at, updated_at) VALUES"
                    " ('ep_1', 'tnt_1', '', 'https://old.example/cb', '[]', '[]', 's', '{}', 15,"
                    " '{}', true, :t, :t)"
                ),
                {"t": datetime(2026, 1, 1)},
            )
        await _to(engine, "head")
    finally:
        await engine.dispose()
    db = Database(url)
    try:
        async with db.session() as session:
            endpoint = await get_endpoint(session, endpoint_id="ep_1")
    finally:
        await db.dispose()
    assert endpoint.targets == [
        {"url": "https://old.example/cb", "weight": 1, "enabled": True, "stream": None}
    ]
    assert (endpoint.protocol, endpoint.payload_format, endpoint.auth) == ("http", "json", {})
    spec = delivery_spec(endpoint)
    assert [t.url for t in spec.enabled_targets()] == ["https://old.example/cb"]
    assert (spec.strategy, spec.auth_type, spec.rate_limit) == ("round_robin", "none", None)


async def test_sqlite_old_endpoint_gets_one_target(tmp_path: Path) -> None:
    await _old_endpoint_gets_one_target(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


async def test_postgres_old_endpoint_gets_one_target(request: pytest.FixtureRequest) -> None:
    server_url = request.getfixturevalue("postgres_url")
    url = (await fresh_database(server_url)).replace("postgresql://", "postgresql+asyncpg://")
    await _old_endpoint_gets_one_target(url)
