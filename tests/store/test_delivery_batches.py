"""store.delivery_batches on both stores: concurrent tries read their contexts in one query and
record their attempts in one transaction, each with its own answer."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from core.errors import NotFound
from store.db import Database
from store.delivery_batches import DeliveryBatches
from store.endpoint_models import Endpoint
from store.event_models import Attempt, Callback, Event
from store.tenant_models import Tenant
from store.types import utcnow


async def _callbacks(db: Database, count: int) -> list[str]:
    """``count`` pending callbacks of one event, over two endpoints."""
    async with db.session() as session:
        session.add(Tenant(id="t1", name="one"))
        await session.commit()
        for name in ("a", "b"):
            session.add(
                Endpoint(id=f"ep_{name}", tenant_id="t1", url=f"http://x/{name}", secret="s")
            )
        session.add(
            Event(
                id="ev_1", tenant_id="t1", external_id="x1", body_hash="h", type="message.sent",
                message_id="m1", occurred_at=utcnow(), data={"n": 1},
            )
        )  # fmt: skip
        ids = [f"cb_{i}" for i in range(count)]
        for i, callback_id in enumerate(ids):
            session.add(
                Callback(
                    id=callback_id, tenant_id="t1", endpoint_id=f"ep_{'ab'[i % 2]}",
                    event_id="ev_1", event_type="message.sent", message_id="m1",
                )
            )  # fmt: skip
        await session.commit()
    return ids


def _attempt(callback_id: str, number: int, status_code: int | None = 200) -> Attempt:
    return Attempt(
        id="", callback_id=callback_id, attempt=number, trigger="event",
        target_url="http://x/a", status_code=status_code, duration_ms=3,
        error=None if status_code == 200 else "HTTP 503",
    )  # fmt: skip


async def test_concurrent_tries_read_their_contexts_in_one_query(db: Database) -> None:
    ids = await _callbacks(db, 12)
    batches = DeliveryBatches(db)

    contexts = await asyncio.gather(*(batches.context(i) for i in ids))

    assert [ctx.callback.id for ctx in contexts] == ids
    assert [ctx.endpoint.id for ctx in contexts if ctx.endpoint] == ["ep_a", "ep_b"] * 6
    assert {ctx.event.data["n"] for ctx in contexts} == {1}
    assert batches.groups == 1  # asked in the same moment: one SELECT


async def test_a_missing_callback_fails_only_its_own_read(db: Database) -> None:
    ids = await _callbacks(db, 3)
    batches = DeliveryBatches(db)

    results = await asyncio.gather(
        *(batches.context(i) for i in [ids[0], "cb_gone", ids[2]]), return_exceptions=True
    )

    assert isinstance(results[1], NotFound) and results[1].code == "callback_not_found"
    assert [
        r.callback.id for r in (results[0], results[2]) if not isinstance(r, BaseException)
    ] == [
        ids[0],
        ids[2],
    ]


async def test_concurrent_tries_record_their_attempts_in_one_transaction(db: Database) -> None:
    ids = await _callbacks(db, 10)
    batches = DeliveryBatches(db)
    later = utcnow()

    deliveries = [
        batches.record(_attempt(i, 1), status="delivered", next_attempt_at=None) for i in ids[:6]
    ]
    failed = [
        batches.record(_attempt(i, 2, 503), status="retrying", next_attempt_at=later)
        for i in ids[6:]
    ]
    await asyncio.gather(*deliveries, *failed)

    assert batches.groups == 1
    async with db.session() as session:
        callbacks = {c.id: c for c in (await session.exec(select(Callback))).all()}
        attempts = (await session.exec(select(Attempt))).all()
    assert len(attempts) == 10 and len({a.id for a in attempts}) == 10
    for callback_id in ids[:6]:
        delivered = callbacks[callback_id]
        assert (delivered.status, delivered.attempts, delivered.last_status_code) == (
            "delivered",
            1,
            200,
        )
        assert delivered.delivered_at is not None and delivered.next_attempt_at is None
    for callback_id in ids[6:]:
        retrying = callbacks[callback_id]
        assert (retrying.status, retrying.attempts, retrying.last_error) == (
            "retrying",
            2,
            "HTTP 503",
        )
        assert retrying.delivered_at is None and retrying.next_attempt_at is not None


async def test_the_attempt_count_only_grows_and_a_gone_callback_fails_alone(db: Database) -> None:
    ids = await _callbacks(db, 2)
    batches = DeliveryBatches(db)
    await batches.record(_attempt(ids[0], 3, 503), status="retrying", next_attempt_at=None)

    results = await asyncio.gather(
        batches.record(_attempt(ids[0], 2, 503), status="retrying", next_attempt_at=None),
        batches.record(_attempt("cb_gone", 1), status="delivered", next_attempt_at=None),
        batches.record(_attempt(ids[1], 1), status="delivered", next_attempt_at=None),
        return_exceptions=True,
    )

    assert results[0] is None and results[2] is None
    assert isinstance(results[1], NotFound)
    async with db.session() as session:
        first = await session.get(Callback, ids[0])
        recorded = (await session.exec(select(col(Attempt.callback_id)))).all()
    assert first is not None and first.attempts == 3  # a late report of try 2 does not lower it
    assert sorted(recorded) == sorted([ids[0], ids[0], ids[1]])  # nothing for the gone one
