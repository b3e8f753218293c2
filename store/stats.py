"""The quality report: success rate, latency percentiles, attempts per success, top errors."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.event_models import Attempt, Callback

__all__ = ["QualityReport", "percentiles", "quality_report"]

MAX_SAMPLES = 100_000  # rows read for percentiles; beyond that the newest are used


@dataclass
class QualityReport:
    callbacks_by_status: dict[str, int]
    attempts: int
    attempts_succeeded: int
    delivered_attempts: int  # tries that delivered callbacks took, all of them
    latency_ms: dict[str, float | None]
    attempt_duration_ms: dict[str, float | None]
    top_errors: list[tuple[str, int]] = field(default_factory=list)


def percentiles(values: list[float]) -> dict[str, float | None]:
    """p50/p95/p99 by the nearest-rank method (None without data)."""
    if not values:
        return {"p50": None, "p95": None, "p99": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99)}


async def quality_report(
    session: AsyncSession,
    *,
    since: datetime,
    until: datetime,
    tenant_id: str | None = None,
    endpoint_id: str | None = None,
) -> QualityReport:
    """Over the callbacks created in [since, until) of a tenant and/or endpoint."""
    scope = [col(Callback.created_at) >= since, col(Callback.created_at) < until]
    if tenant_id is not None:
        scope.append(col(Callback.tenant_id) == tenant_id)
    if endpoint_id is not None:
        scope.append(col(Callback.endpoint_id) == endpoint_id)
    by_status = await session.exec(
        select(Callback.status, func.count()).where(*scope).group_by(Callback.status)
    )
    delivered = await session.exec(
        select(Callback.created_at, Callback.delivered_at, Callback.attempts)
        .where(*scope, Callback.status == "delivered")
        .order_by(col(Callback.created_at).desc())
        .limit(MAX_SAMPLES)
    )
    delivered_rows = delivered.all()
    tries = await session.exec(
        select(Attempt.status_code, Attempt.duration_ms, Attempt.error)
        .join(Callback, col(Callback.id) == col(Attempt.callback_id))
        .where(*scope)
        .order_by(col(Attempt.created_at).desc())
        .limit(MAX_SAMPLES)
    )
    try_rows = tries.all()
    latencies = [
        (done - created).total_seconds() * 1000 for created, done, _ in delivered_rows if done
    ]
    errors = Counter(error for _, _, error in try_rows if error)
    return QualityReport(
        callbacks_by_status={status: count for status, count in by_status.all()},
        attempts=len(try_rows),
        attempts_succeeded=sum(1 for code, _, _ in try_rows if code and 200 <= code < 300),
        delivered_attempts=sum(n for _, _, n in delivered_rows),
        latency_ms=percentiles(latencies),
        attempt_duration_ms=percentiles([float(ms) for _, ms, _ in try_rows]),
        top_errors=errors.most_common(5),
    )
