"""The circuit breaker's shared state per endpoint, changed only by atomic statements (so
workers racing on one endpoint never lose a count or both take the one half-open probe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from store.delivery_state import ensure_runtime
from store.models import Endpoint, EndpointRuntime

__all__ = [
    "BreakerCounts",
    "BreakerView",
    "breaker_of",
    "count_outcome",
    "disable_endpoint",
    "move_breaker",
]

BreakerCounts = tuple[str, datetime | None, int, int, int]
"""(state, changed_at, window_requests, window_failures, consecutive_failures)"""

_R = EndpointRuntime


@dataclass(frozen=True)
class BreakerView:
    state: str = "closed"
    changed_at: datetime | None = None
    window_started_at: datetime | None = None
    consecutive_failures: int = 0


async def breaker_of(session: AsyncSession, *, endpoint_id: str) -> BreakerView:
    """The breaker as it is now; closed and quiet for an endpoint that never failed."""
    row = await session.get(_R, endpoint_id)
    if row is None:
        return BreakerView()
    return BreakerView(
        row.breaker_state, row.breaker_changed_at, row.window_started_at, row.consecutive_failures
    )


async def move_breaker(
    session: AsyncSession,
    *,
    endpoint_id: str,
    to: str,
    now: datetime,
    when_state: str,
    changed_before: datetime | None = None,
) -> bool:
    """Compare-and-set: moves to ``to`` only from ``when_state`` (and, if given, only when the
    last change is older than ``changed_before``); True for the one worker that moved it."""
    await ensure_runtime(session, endpoint_id=endpoint_id)
    statement = update(_R).where(
        col(_R.endpoint_id) == endpoint_id, col(_R.breaker_state) == when_state
    )
    if changed_before is not None:
        statement = statement.where(col(_R.breaker_changed_at) <= changed_before)
    values: dict[str, object] = {"breaker_state": to, "breaker_changed_at": now, "updated_at": now}
    if to == "closed":
        values |= {"window_started_at": now, "window_requests": 0, "window_failures": 0}
        values["consecutive_failures"] = 0
    result = await session.execute(statement.values(**values))
    await session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def count_outcome(
    session: AsyncSession, *, endpoint_id: str, failed: bool, now: datetime, window: timedelta
) -> BreakerCounts:
    """Adds one try to the endpoint's window (a new window once the old one is over)."""
    await ensure_runtime(session, endpoint_id=endpoint_id)
    stale = (col(_R.window_started_at).is_(None)) | (col(_R.window_started_at) <= now - window)
    await session.execute(
        update(_R)
        .where(col(_R.endpoint_id) == endpoint_id, stale)
        .values(window_started_at=now, window_requests=0, window_failures=0)
    )
    bump = 1 if failed else 0
    result = await session.execute(
        update(_R)
        .where(col(_R.endpoint_id) == endpoint_id)
        .values(
            window_requests=_R.window_requests + 1,
            window_failures=_R.window_failures + bump,
            consecutive_failures=_R.consecutive_failures + 1 if failed else 0,
            updated_at=now,
        )
        .returning(
            col(_R.breaker_state),
            col(_R.breaker_changed_at),
            col(_R.window_requests),
            col(_R.window_failures),
            col(_R.consecutive_failures),
        )
    )
    state, changed, requests, failures, consecutive = result.one()
    await session.commit()
    return state, changed, requests, failures, consecutive


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
