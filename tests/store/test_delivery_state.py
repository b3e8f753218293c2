"""Shared delivery state on both stores: the balancing sequence under concurrent workers,
target health with its cool-down, and leases of deliveries in flight."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from store.db import Database
from store.delivery_state import (
    acquire_lease,
    clear_target_failures,
    in_flight_by_target,
    mark_target_failed,
    next_sequence,
    release_lease,
    unhealthy_targets,
)
from store.limits import take_lease_if_below, take_rate_slot
from store.types import utcnow


async def test_sequence_numbers_are_unique_across_concurrent_workers(db: Database) -> None:
    async def take() -> int:
        async with db.session() as session:
            return await next_sequence(session, endpoint_id="ep_1")

    numbers = await asyncio.gather(*(take() for _ in range(40)))
    assert sorted(numbers) == list(range(40))
    async with db.session() as session:
        assert await next_sequence(session, endpoint_id="ep_2") == 0


async def test_failed_target_cools_down_and_recovers(db: Database) -> None:
    now = utcnow()
    async with db.session() as session:
        for _ in range(2):
            await mark_target_failed(
                session,
                endpoint_id="ep_1",
                target="t1",
                url="http://a",
                until=now + timedelta(seconds=30),
                error="HTTP 503",
            )
        sick = await unhealthy_targets(session, endpoint_id="ep_1", now=now)
        assert set(sick) == {"t1"} and sick["t1"].failures == 2
        assert await unhealthy_targets(session, endpoint_id="ep_1", now=now + timedelta(31)) == {}
        assert await unhealthy_targets(session, endpoint_id="ep_2", now=now) == {}
        await clear_target_failures(session, endpoint_id="ep_1", target="t1")
        assert await unhealthy_targets(session, endpoint_id="ep_1", now=now) == {}


async def test_leases_count_in_flight_and_expire(db: Database) -> None:
    async with db.session() as session:
        first = await acquire_lease(session, endpoint_id="ep_1", target="a", ttl=timedelta(60))
        await acquire_lease(session, endpoint_id="ep_1", target="a", ttl=timedelta(60))
        await acquire_lease(session, endpoint_id="ep_1", target="b", ttl=timedelta(seconds=-1))
        assert await in_flight_by_target(session, endpoint_id="ep_1", now=utcnow()) == {"a": 2}
        await release_lease(session, lease_id=first)
        assert await in_flight_by_target(session, endpoint_id="ep_1", now=utcnow()) == {"a": 1}


async def test_concurrent_leases_never_pass_the_limit(db: Database) -> None:
    now = utcnow()

    async def take() -> str | None:
        async with db.session() as session:
            return await take_lease_if_below(
                session, endpoint_id="ep_l", limit=3, target="t", ttl=timedelta(60), now=now
            )

    leases = await asyncio.gather(*(take() for _ in range(12)))
    assert sum(lease is not None for lease in leases) == 3


async def test_rate_slots_are_reserved_one_interval_apart(db: Database) -> None:
    now = utcnow()

    async def take() -> float:
        async with db.session() as session:
            slot = await take_rate_slot(session, endpoint_id="ep_r", per_second=4, burst=2, now=now)
        return (slot - now).total_seconds()

    slots = sorted(await asyncio.gather(*(take() for _ in range(6))))
    assert slots == pytest.approx([0, 0, 0.25, 0.5, 0.75, 1.0])  # burst 2, then 4/s
