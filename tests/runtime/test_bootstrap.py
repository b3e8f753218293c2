"""Bootstrap: schema and admin key, safe when several processes start at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_asyncio

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.settings import Settings
from runtime.bootstrap import bootstrap
from store.api_keys import find_api_key, list_api_keys
from store.db import Database
from store.event_types import catalogue_rows, seed_builtin_event_types
from tests.support.postgres import fresh_database
from tests.support.stack import make_settings


async def _boot(url: str, settings_dir: Path, key: str | None) -> str | None:
    settings = make_settings(settings_dir, "127.0.0.1:1", admin_api_key=key)
    db = Database(url)
    try:
        return await bootstrap(db, settings)
    finally:
        await db.dispose()


@pytest_asyncio.fixture(loop_scope="session", params=["sqlite", "postgres"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'boot.db'}"
    server_url = request.getfixturevalue("postgres_url")
    return Settings(
        _env_file=None, database_url=await fresh_database(server_url)
    ).resolved_database_url()  # type: ignore[call-arg]


@pytest.mark.parametrize("key", [None, "gt_from_env_0123456789"])
async def test_concurrent_first_starts_make_one_admin_key(
    tmp_path: Path, store_url: str, key: str | None
) -> None:
    url = store_url
    generated = await asyncio.gather(*(_boot(url, tmp_path, key) for _ in range(5)))
    db = Database(url)
    try:
        async with db.session() as session:
            keys = await list_api_keys(session)
            assert [k.role for k in keys] == ["admin"]
            builtins = await catalogue_rows(session, tenant_id=None)
            names = sorted(r.name for r in builtins)
            assert names == sorted(b.name for b in BUILTIN_EVENT_TYPES)  # seeded once
            if key is None:
                [plain] = [g for g in generated if g]  # exactly one start generated it
                assert (tmp_path / "admin.key").read_text().strip() == plain
                assert await find_api_key(session, plain=plain) is not None
            else:
                assert generated == [None] * 5
                assert await find_api_key(session, plain=key) is not None
    finally:
        await db.dispose()


async def test_seeding_restores_changed_builtins(tmp_path: Path, store_url: str) -> None:
    await _boot(store_url, tmp_path, None)
    db = Database(store_url)
    try:
        async with db.session() as session:
            [row, *_] = await catalogue_rows(session, tenant_id=None)
            row.description, row.data_schema = "edited", {}
            session.add(row)
            await session.commit()
            assert await seed_builtin_event_types(session) == 1
            assert await seed_builtin_event_types(session) == 0
            restored = {r.name: r for r in await catalogue_rows(session, tenant_id=None)}
            assert restored[row.name].description != "edited"
            assert restored[row.name].data_schema["title"] == row.name
    finally:
        await db.dispose()
