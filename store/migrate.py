"""Schema migrations with Alembic, applied on start by every process (idempotent, serialised)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "apply_migrations", "exclusive", "new_revision", "upgrade"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x60_7016  # PostgreSQL advisory lock: one migrator at a time


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@asynccontextmanager
async def _file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """SQLite has no advisory locks: processes sharing the file take turns on a lock file
    (polled, so that waiting never blocks the event loop)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    handle = os.open(f"{database}.migrate-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.05)
        yield
    finally:
        os.close(handle)  # closing releases the lock


@asynccontextmanager
async def exclusive(engine: AsyncEngine) -> AsyncIterator[None]:
    """Start-up work one process at a time, across every process sharing the store."""
    async with _file_lock(engine):
        if engine.dialect.name != "postgresql":
            yield
            return
        async with engine.connect() as conn:
            await conn.execute(text(f"SELECT pg_advisory_lock({_LOCK_ID})"))
            await conn.commit()
            try:
                yield
            finally:
                await conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_ID})"))
                await conn.commit()


async def apply_migrations(engine: AsyncEngine) -> None:
    """Brings the schema to the newest revision; the caller holds ``exclusive``."""
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), "head"))
        await conn.commit()


async def upgrade(engine: AsyncEngine) -> None:
    """Brings the schema to the newest revision (serialised across processes)."""
    async with exclusive(engine):
        await apply_migrations(engine)


async def new_revision(engine: AsyncEngine, message: str) -> None:
    """Writes a migration for the difference between the models and a database at head."""
    await upgrade(engine)
    async with engine.connect() as conn:
        number = len(list((_MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))) + 1
        await conn.run_sync(
            lambda sync: command.revision(
                alembic_config(sync), message=message, autogenerate=True, rev_id=f"{number:04d}"
            )
        )
