"""The API's catalogue cache: one load per tenant view, dropped on a change made here, reloaded
after its time-to-live for changes made by another process; against a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from api.catalogue import CatalogueCache, EventCheck
from core.errors import InvalidInput
from runtime.bootstrap import bootstrap
from store.db import Database
from store.event_types import GLOBAL, add_event_type_version, create_event_type
from store.tenants import create_tenant
from tests.support.stack import make_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture(loop_scope="session")
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    await bootstrap(database, make_settings(tmp_path, "127.0.0.1:1"))
    try:
        yield database
    finally:
        await database.dispose()


def _check(tenant_id: str, data: dict[str, Any], version: int | None = None) -> EventCheck:
    return EventCheck(tenant_id, "order.paid", version, data, ("body",), ("body", "data"))


async def _code(cache: CatalogueCache, db: Database, check: EventCheck) -> str | None:
    async with db.session() as session:
        try:
            await cache.check(session, [check])
        except InvalidInput as refused:
            return refused.code
    return None


async def test_views_expire_and_changes_here_apply_at_once(db: Database) -> None:
    clock = Clock()
    cache = CatalogueCache(ttl_seconds=10, clock=clock)
    async with db.session() as session:
        tenant = await create_tenant(session, name="shop")
    assert await _code(cache, db, _check(tenant.id, {})) == "unknown_event_type"

    # Another process registers the type: this one sees it once the view expires.
    async with db.session() as session:
        await create_event_type(
            session,
            scope=tenant.id,
            name="order.paid",
            description="",
            schema={"required": ["order_id"]},
            published=False,
        )
    assert await _code(cache, db, _check(tenant.id, {})) == "unknown_event_type"
    clock.now += 10
    assert await _code(cache, db, _check(tenant.id, {})) == "event_data_invalid"
    assert await _code(cache, db, _check(tenant.id, {"order_id": "o"})) is None

    # A change made through this process drops the view at once.
    async with db.session() as session:
        await add_event_type_version(
            session,
            scope=tenant.id,
            name="order.paid",
            description=None,
            schema={"maxProperties": 0},
        )
    assert await _code(cache, db, _check(tenant.id, {"order_id": "o"})) is None
    cache.invalidate(tenant.id)
    assert await _code(cache, db, _check(tenant.id, {"order_id": "o"})) == "event_data_invalid"
    assert await _code(cache, db, _check(tenant.id, {"order_id": "o"}, version=1)) is None
    cache.invalidate(GLOBAL)  # a global change drops every view
    assert await _code(cache, db, _check(tenant.id, {}, version=3)) == "unknown_event_type_version"


async def test_zero_time_to_live_always_reads_the_store(db: Database) -> None:
    cache = CatalogueCache(ttl_seconds=0, clock=Clock())
    async with db.session() as session:
        tenant = await create_tenant(session, name="shop")
    assert await _code(cache, db, _check(tenant.id, {})) == "unknown_event_type"
    async with db.session() as session:
        await create_event_type(
            session, scope=tenant.id, name="order.paid", description="", schema={}, published=False
        )
    assert await _code(cache, db, _check(tenant.id, {})) is None
