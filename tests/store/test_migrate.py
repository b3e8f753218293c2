"""Migrations: they build exactly the schema the models describe, and re-running is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from store.db import Database
from tests.support.postgres import fresh_database


async def _assert_schema_matches_models(db: Database) -> None:
    await db.create_schema()
    await db.create_schema()  # idempotent
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
        )
        version = await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    assert diff == [], f"models changed without a migration: {diff}"
    assert version is not None


async def test_sqlite_migrations_match_models(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")
    try:
        await _assert_schema_matches_models(db)
    finally:
        await db.dispose()


async def test_postgres_migrations_match_models(request: pytest.FixtureRequest) -> None:
    server_url = request.getfixturevalue("postgres_url")
    url = (await fresh_database(server_url)).replace("postgresql://", "postgresql+asyncpg://")
    db = Database(url)
    try:
        await _assert_schema_matches_models(db)
    finally:
        await db.dispose()
