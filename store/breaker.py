"""The circuit breaker's shared state per endpoint. Every change is decided under the
endpoint's runtime row lock (PostgreSQL row lock; SQLite's one writer) and recorded in the same
transaction as a ``BreakerTransition``: however many workers race on one endpoint, each
transition happens, and is recorded, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.breaker import BreakerPolicy, next_state
from core.ids import new_id
from store.delivery_models import BreakerTransition, EndpointRuntime
from store.endpoint_models import Endpoint
from store.limits import lock_endpoint

__all__ = [
    "BreakerView",
    "Counted",
    "Probe",
    "count_outcome",
    "disable_endpoint",
    "list_transitions",
    "start_probe",
    "view_of",
]

_R = EndpointRuntime


@dataclass(frozen=True)
class BreakerView:
    state: str = "closed"
    changed_at: datetime | None = None
    window_started_at: datetime | None = None
    consecutive_failures: int = 0


@dataclass(frozen=True)
class Probe:
    """The locked answer of an open (or half-open) breaker before a try."""

    retry_at: datetime | None = None  # set: send nothing, ask again then
    state: str = "closed"  # the state after this call
    transition: BreakerTransition | None = None


@dataclass(frozen=True)
class Counted:
    """A counted try: the breaker's state after it, the transition it caused, if any, and since
    when the endpoint has failed without a success in between (None after a success)."""

    state: str
    transition: BreakerTransition | None
    failing_since: datetime | None


def view_of(row: EndpointRuntime | None) -> BreakerView:
    """The breaker of a runtime row read elsewhere (e.g. with the delivery context)."""
    if row is None:
        return BreakerView()
    return BreakerView(
        row.breaker_state, row.breaker_changed_at, row.window_started_at, row.consecutive_failures
    )


def _move(
    session: AsyncSession, row: EndpointRuntime, to: str, reason: str, now: datetime
) -> BreakerTransition:
    transition = BreakerTransition(
        id=new_id("brk"),
        endpoint_id=row.endpoint_id,
        from_state=row.breaker_state,
        to_state=to,
        reason=reason[:500],
        window_requests=row.window_requests,
        window_failures=row.window_failures,
        consecutive_failures=row.consecutive_failures,
        at=now,
    )
    session.add(transition)
    row.breaker_state, row.breaker_changed_at = to, now
    if to == "closed":
        row.window_started_at, row.window_requests, row.window_failures = now, 0, 0
        row.consecutive_failures = 0
    return transition


async def _locked_row(session: AsyncSession, endpoint_id: str, now: datetime) -> EndpointRuntime:
    await lock_endpoint(session, endpoint_id=endpoint_id, now=now)
    row = await session.get(_R, endpoint_id, populate_existing=True)
    assert row is not None
    return row


async def start_probe(
    session: AsyncSession, *, endpoint_id: str, now: datetime, open_for: timedelta
) -> Probe:
    """An open breaker that has been open ``open_for`` half-opens, and this caller probes; a
    half-open one whose probe never reported (its worker died) is probed again. Commits."""
    row = await _locked_row(session, endpoint_id, now)
    probe = Probe(state=row.breaker_state)
    if row.breaker_state != "closed":
        ready_at = (row.breaker_changed_at or now) + open_for
        if now < ready_at:
            probe = Probe(retry_at=ready_at, state=row.breaker_state)
        elif row.breaker_state == "open":
            reason = f"open for {open_for.total_seconds():g} s: one probe goes out"
            probe = Probe(
                state="half_open", transition=_move(session, row, "half_open", reason, now)
            )
        else:
            row.breaker_changed_at = now  # no transition: this caller takes over the probe
    await session.commit()
    return probe


async def count_outcome(
    session: AsyncSession,
    *,
    endpoint_id: str,
    failed: bool,
    now: datetime,
    policy: BreakerPolicy,
) -> Counted:
    """Adds one try to the endpoint's window (a new window once the old one is over) and moves
    the breaker if the policy says so. Commits."""
    row = await _locked_row(session, endpoint_id, now)
    window = timedelta(seconds=policy.window_seconds)
    if row.window_started_at is None or row.window_started_at <= now - window:
        row.window_started_at, row.window_requests, row.window_failures = now, 0, 0
    row.window_requests += 1
    if failed:
        row.window_failures += 1
        row.consecutive_failures += 1
        row.failing_since = row.failing_since or now
    else:
        row.consecutive_failures = 0
        row.failing_since = None
    row.updated_at = now
    decided = next_state(
        policy,
        row.breaker_state,
        failed=failed,
        requests=row.window_requests,
        failures=row.window_failures,
        consecutive=row.consecutive_failures,
    )
    transition = _move(session, row, *decided, now) if decided else None
    counted = Counted(row.breaker_state, transition, row.failing_since)
    await session.commit()
    return counted


async def list_transitions(
    session: AsyncSession, *, endpoint_id: str, limit: int = 20
) -> list[BreakerTransition]:
    """The endpoint's newest breaker transitions first."""
    rows = await session.exec(
        select(BreakerTransition)
        .where(BreakerTransition.endpoint_id == endpoint_id)
        .order_by(col(BreakerTransition.at).desc(), col(BreakerTransition.id).desc())
        .limit(limit)
    )
    return list(rows.all())


async def disable_endpoint(
    session: AsyncSession, *, endpoint_id: str, reason: str, by: str, now: datetime
) -> bool:
    """Disables an enabled endpoint (the engine's decision, e.g. 410 Gone); True if it was."""
    result = await session.execute(
        update(Endpoint)
        .where(col(Endpoint.id) == endpoint_id, col(Endpoint.enabled).is_(True))
        .values(
            enabled=False,
            disabled_reason=reason[:500],
            disabled_by=by,
            disabled_at=now,
            updated_at=now,
        )
    )
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_handed_over(session: AsyncSession, *, transition_id: str, now: datetime) -> bool:
    """Records that the transition's operational event was handed over; True if it was not
    marked yet. Commits."""
    result = await session.execute(
        update(BreakerTransition)
        .where(
            col(BreakerTransition.id) == transition_id,
            col(BreakerTransition.handed_over_at).is_(None),
        )
        .values(handed_over_at=now)
    )
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def untold_transitions(
    session: AsyncSession, *, before: datetime, limit: int = 100
) -> list[BreakerTransition]:
    """Transitions made before ``before`` whose event was never handed over, oldest first."""
    rows = await session.exec(
        select(BreakerTransition)
        .where(
            col(BreakerTransition.handed_over_at).is_(None),
            col(BreakerTransition.at) < before,
        )
        .order_by(col(BreakerTransition.at), col(BreakerTransition.id))
        .limit(limit)
    )
    return list(rows.all())
