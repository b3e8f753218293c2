"""Per-endpoint rate and concurrency limits held across every worker process: each decision
runs under the endpoint's runtime row lock (PostgreSQL row lock; SQLite's one writer)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ids import new_id
from store.delivery_models import DeliveryLease, EndpointRuntime
from store.delivery_state import ensure_runtime

__all__ = ["lock_endpoint", "take_lease_if_below", "take_rate_slot"]

_R = EndpointRuntime


async def lock_endpoint(session: AsyncSession, *, endpoint_id: str, now: datetime) -> None:
    """Takes the endpoint's runtime row lock until the session commits."""
    await ensure_runtime(session, endpoint_id=endpoint_id)
    await session.execute(
        update(_R).where(col(_R.endpoint_id) == endpoint_id).values(updated_at=now)
    )


async def take_rate_slot(
    session: AsyncSession, *, endpoint_id: str, per_second: float, burst: int, now: datetime
) -> datetime:
    """Reserves the endpoint's next send slot in its token bucket (``burst`` tokens, refilled at
    ``per_second``) and returns when it is: ``now`` while tokens last, later when reserved
    ahead. Commits."""
    await lock_endpoint(session, endpoint_id=endpoint_id, now=now)
    row = await session.get(_R, endpoint_id, populate_existing=True)
    assert row is not None
    if row.tokens_at is None:
        tokens = float(burst)
    else:
        refill = (now - row.tokens_at).total_seconds() * per_second
        tokens = min(float(burst), row.tokens + refill)
    tokens -= 1.0
    row.tokens, row.tokens_at = tokens, now
    await session.commit()
    if tokens >= 0:
        return now
    return now + timedelta(seconds=-tokens / per_second)


async def take_lease_if_below(
    session: AsyncSession,
    *,
    endpoint_id: str,
    limit: int,
    target: str,
    ttl: timedelta,
    now: datetime,
) -> str | None:
    """A lease for one delivery in flight, unless ``limit`` are in flight already. Commits."""
    await lock_endpoint(session, endpoint_id=endpoint_id, now=now)
    count = (
        await session.exec(
            select(func.count())
            .select_from(DeliveryLease)
            .where(DeliveryLease.endpoint_id == endpoint_id, col(DeliveryLease.expires_at) > now)
        )
    ).one()
    if count >= limit:
        await session.commit()
        return None
    lease = DeliveryLease(
        id=new_id("lse"), endpoint_id=endpoint_id, target=target, expires_at=now + ttl
    )
    session.add(lease)
    await session.commit()
    return lease.id
