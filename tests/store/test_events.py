"""Recording events on both stores: the one-query endpoint read the API ingests with, and the
optimistic insert that falls back to the careful path when a key was already used."""

from __future__ import annotations

import pytest
import pytest_asyncio

from core.errors import Conflict, NotFound
from store.db import Database
from store.endpoint_models import Endpoint
from store.endpoints import enabled_endpoints_of
from store.events import NewEvent, record_events
from store.tenant_models import Tenant
from store.types import utcnow


@pytest_asyncio.fixture(loop_scope="session")
async def db(db: Database) -> Database:
    """The store of tests/store/conftest.py, with two tenants and three endpoints."""
    async with db.session() as session:
        session.add_all([Tenant(id="t1", name="one"), Tenant(id="t2", name="two")])
        await session.commit()
        session.add_all(
            [
                Endpoint(id="ep_a", tenant_id="t1", url="http://127.0.0.1:9/a", secret="s"),
                Endpoint(
                    id="ep_b",
                    tenant_id="t1",
                    url="http://127.0.0.1:9/b",
                    secret="s",
                    event_types=["message.read"],
                ),
                Endpoint(
                    id="ep_c", tenant_id="t1", url="http://127.0.0.1:9/c", secret="s", enabled=False
                ),
            ]
        )
        await session.commit()
    return db


def _item(external_id: str, *, body_hash: str = "h1", type: str = "message.sent") -> NewEvent:
    return NewEvent(
        tenant_id="t1",
        external_id=external_id,
        body_hash=body_hash,
        type=type,
        message_id="m1",
        occurred_at=utcnow(),
        channel=None,
        data={"x": 1},
        meta={},
    )


async def test_enabled_endpoints_of_tenants(db: Database) -> None:
    async with db.session() as session:
        found = await enabled_endpoints_of(session, tenant_ids=["t1", "t2"])
        assert {t: [e.id for e in eps] for t, eps in found.items()} == {
            "t1": ["ep_a", "ep_b"],  # ep_c is disabled
            "t2": [],  # a tenant without endpoints still exists
        }
        with pytest.raises(NotFound) as missing:
            await enabled_endpoints_of(session, tenant_ids=["t1", "nope"])
        assert missing.value.code == "tenant_not_found"


async def test_optimistic_insert_routes_and_answers_a_retried_key(db: Database) -> None:
    async with db.session() as session:
        endpoints = await enabled_endpoints_of(session, tenant_ids=["t1"])
        [first] = await record_events(session, items=[_item("k1")], endpoints=endpoints)
    assert not first.duplicate
    assert [c.endpoint_id for c in first.callbacks] == ["ep_a"]  # ep_b wants message.read

    async with db.session() as session:  # the same key again: the insert fails, then is answered
        endpoints = await enabled_endpoints_of(session, tenant_ids=["t1"])
        [again] = await record_events(session, items=[_item("k1")], endpoints=endpoints)
    assert again.duplicate
    assert again.event.id == first.event.id
    assert [c.id for c in again.callbacks] == [c.id for c in first.callbacks]
    assert set(again.endpoints) == {"ep_a"}

    async with db.session() as session:
        endpoints = await enabled_endpoints_of(session, tenant_ids=["t1"])
        with pytest.raises(Conflict) as reused:
            await record_events(
                session, items=[_item("k1", body_hash="other")], endpoints=endpoints
            )
    assert reused.value.code == "idempotency_key_reused"


async def test_batch_with_a_stored_key_keeps_the_new_ones_all_or_none(db: Database) -> None:
    async with db.session() as session:
        await record_events(session, items=[_item("k2")])
    async with db.session() as session:
        endpoints = await enabled_endpoints_of(session, tenant_ids=["t1"])
        results = await record_events(
            session,
            items=[_item("k2"), _item("k3", type="message.read"), _item("k3", type="message.read")],
            endpoints=endpoints,
        )
    assert [r.duplicate for r in results] == [True, False, True]
    assert sorted(c.endpoint_id for c in results[1].callbacks) == ["ep_a", "ep_b"]
    assert results[2].event.id == results[1].event.id
