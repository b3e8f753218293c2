"""Delivery state shared by every worker process: target health, the balancing sequence and
deliveries in flight (keyword-only functions, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ids import new_id
from store.delivery_models import DeliveryLease, EndpointRuntime, TargetHealth
from store.types import utcnow

__all__ = [
    "acquire_lease",
    "clear_target_failures",
    "ensure_runtime",
    "in_flight_by_target",
    "mark_target_failed",
    "next_sequence",
    "release_lease",
    "unhealthy_targets",
]


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def ensure_runtime(session: AsyncSession, *, endpoint_id: str) -> None:
    """Creates the endpoint's runtime row if it has none yet (a no-op otherwise)."""
    statement = (
        _insert(session, EndpointRuntime)
        .values(endpoint_id=endpoint_id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["endpoint_id"])
    )
    await session.execute(statement)


async def next_sequence(session: AsyncSession, *, endpoint_id: str) -> int:
    """The endpoint's next balancing sequence number (0, 1, 2, ... across all workers)."""
    statement = (
        _insert(session, EndpointRuntime)
        .values(endpoint_id=endpoint_id, sequence=1, updated_at=utcnow())
        .on_conflict_do_update(
            index_elements=["endpoint_id"],
            set_={"sequence": EndpointRuntime.sequence + 1},  # type: ignore[operator]
        )
        .returning(col(EndpointRuntime.sequence))
    )
    value = (await session.execute(statement)).scalar_one()
    await session.commit()
    return int(value) - 1


async def unhealthy_targets(
    session: AsyncSession, *, endpoint_id: str, now: datetime
) -> dict[str, TargetHealth]:
    """The endpoint's targets that are cooling down at ``now``, by target key."""
    rows = await session.exec(
        select(TargetHealth).where(
            TargetHealth.endpoint_id == endpoint_id,
            col(TargetHealth.unhealthy_until) > now,
        )
    )
    return {row.target: row for row in rows}


async def mark_target_failed(
    session: AsyncSession,
    *,
    endpoint_id: str,
    target: str,
    url: str,
    until: datetime,
    error: str,
) -> None:
    """Marks a target unhealthy until ``until`` (a connect error, timeout or 5xx)."""
    now = utcnow()
    values = {"unhealthy_until": until, "last_error": error[:500], "updated_at": now}
    statement = (
        _insert(session, TargetHealth)
        .values(endpoint_id=endpoint_id, target=target, url=url, failures=1, **values)
        .on_conflict_do_update(
            index_elements=["endpoint_id", "target"],
            set_={**values, "failures": TargetHealth.failures + 1},  # type: ignore[operator]
        )
    )
    await session.execute(statement)
    await session.commit()


async def clear_target_failures(session: AsyncSession, *, endpoint_id: str, target: str) -> None:
    """A target answered: it is healthy again for everyone."""
    await session.execute(
        delete(TargetHealth).where(
            col(TargetHealth.endpoint_id) == endpoint_id, col(TargetHealth.target) == target
        )
    )
    await session.commit()


async def in_flight_by_target(
    session: AsyncSession, *, endpoint_id: str, now: datetime
) -> dict[str, int]:
    """Deliveries in flight per target of the endpoint (unexpired leases)."""
    rows = await session.exec(
        select(DeliveryLease.target, func.count())
        .where(DeliveryLease.endpoint_id == endpoint_id, col(DeliveryLease.expires_at) > now)
        .group_by(col(DeliveryLease.target))
    )
    return {target: int(count) for target, count in rows}


async def acquire_lease(
    session: AsyncSession, *, endpoint_id: str, target: str, ttl: timedelta
) -> str:
    """Records a delivery in flight; returns the lease id to release."""
    lease = DeliveryLease(
        id=new_id("lse"), endpoint_id=endpoint_id, target=target, expires_at=utcnow() + ttl
    )
    session.add(lease)
    await session.commit()
    return lease.id


async def release_lease(session: AsyncSession, *, lease_id: str) -> None:
    """Ends a delivery in flight; expired leases (of workers that died) go with it."""
    await session.execute(
        delete(DeliveryLease).where(
            (col(DeliveryLease.id) == lease_id) | (col(DeliveryLease.expires_at) < utcnow())
        )
    )
    await session.commit()
