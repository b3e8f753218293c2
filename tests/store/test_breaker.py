"""The breaker's transitions on both stores: decided under the endpoint's row lock, so racing
workers produce each transition exactly once; a success ends a run of failures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.breaker import BreakerPolicy, failing_too_long
from store.breaker import count_outcome, list_transitions, start_probe
from store.db import Database
from store.types import utcnow

POLICY = BreakerPolicy(consecutive_failures=5, min_requests=100, disable_after_seconds=60)


async def _count(db: Database, *, failed: bool, at_offset: float = 0.0) -> str | None:
    async with db.session() as session:
        counted = await count_outcome(
            session,
            endpoint_id="ep_1",
            failed=failed,
            now=utcnow() + timedelta(seconds=at_offset),
            policy=POLICY,
        )
    return counted.transition.to_state if counted.transition else None


async def _probe(db: Database, offset: float) -> str | None:
    async with db.session() as session:
        probe = await start_probe(
            session,
            endpoint_id="ep_1",
            now=utcnow() + timedelta(seconds=offset),
            open_for=timedelta(seconds=POLICY.open_seconds),
        )
    return probe.transition.to_state if probe.transition else None


async def test_racing_workers_make_each_transition_once(db: Database) -> None:
    moved = await asyncio.gather(*(_count(db, failed=True) for _ in range(20)))
    assert moved.count("open") == 1 and moved.count(None) == 19

    early = await asyncio.gather(*(_probe(db, 1) for _ in range(5)))
    assert early == [None] * 5  # still open: no probe yet
    probes = await asyncio.gather(*(_probe(db, POLICY.open_seconds + 1) for _ in range(10)))
    assert probes.count("half_open") == 1

    closed = await asyncio.gather(*(_count(db, failed=False, at_offset=32) for _ in range(5)))
    assert closed.count("closed") == 1

    async with db.session() as session:
        transitions = await list_transitions(session, endpoint_id="ep_1")
    assert [(t.from_state, t.to_state) for t in reversed(transitions)] == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]
    opened = transitions[-1]
    assert opened.reason == "5 failures in a row" and opened.consecutive_failures == 5
    assert transitions[0].reason == "the probe succeeded"


async def test_a_failed_probe_opens_again(db: Database) -> None:
    for _ in range(5):
        await _count(db, failed=True)
    assert await _probe(db, POLICY.open_seconds + 1) == "half_open"
    assert await _count(db, failed=True, at_offset=POLICY.open_seconds + 2) == "open"


async def test_failing_since_runs_until_a_success(db: Database) -> None:
    async with db.session() as session:
        first = await count_outcome(
            session, endpoint_id="ep_1", failed=True, now=utcnow(), policy=POLICY
        )
        later = await count_outcome(
            session,
            endpoint_id="ep_1",
            failed=True,
            now=utcnow() + timedelta(seconds=61),
            policy=POLICY,
        )
        assert first.failing_since is not None and later.failing_since == first.failing_since
        assert not failing_too_long(POLICY, first.failing_since, first.failing_since)
        assert failing_too_long(POLICY, later.failing_since, utcnow() + timedelta(seconds=61))
        healed = await count_outcome(
            session, endpoint_id="ep_1", failed=False, now=utcnow(), policy=POLICY
        )
        assert healed.failing_since is None
    assert not failing_too_long(
        BreakerPolicy(disable_after_seconds=0), first.failing_since, utcnow() + timedelta(days=30)
    )
