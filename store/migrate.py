"""Schema migrations with Alembic, applied on start by every process (idempotent, serialised)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "new_revision", "upgrade"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x60_7016  # PostgreSQL advisory lock: one migrator at a time


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@contextmanager
def _file_lock(engine: AsyncEngine) -> Iterator[None]:
    """SQLite has no advisory locks: processes sharing the file take turns on a lock file."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def upgrade(engine: AsyncEngine) -> None:
    """Brings the schema to the newest revision."""
    with _file_lock(engine):
        await _upgrade(engine)


async def _upgrade(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT pg_advisory_lock({_LOCK_ID})"))
        try:
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
            await conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_ID})"))
                await conn.commit()


async def new_revision(engine: AsyncEngine, message: str) -> None:
    """Writes a migration for the difference between the models and a database at head."""
    await upgrade(engine)
    async with engine.connect() as conn:
        await conn.run_sync(
            lambda sync: command.revision(alembic_config(sync), message=message, autogenerate=True)
        )
