"""The quality report per tenant and per endpoint over a window."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from api.access import CanRead
from api.deps import SessionDep
from api.schemas import ErrorCount, Percentiles, QualityReportPublic
from core.errors import InvalidInput
from store.endpoints import get_endpoint
from store.stats import quality_report
from store.types import utcnow

router = APIRouter(prefix="/v1/stats", tags=["stats"])


@router.get("", response_model=QualityReportPublic)
async def stats(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    endpoint: str | None = None,
    since: Annotated[AwareDatetime | None, Query(description="default: 24 h ago")] = None,
    until: Annotated[AwareDatetime | None, Query(description="default: now")] = None,
) -> QualityReportPublic:
    """Success rate, latency percentiles, attempts per success and top errors."""
    until = until or utcnow()
    since = since or until - timedelta(hours=24)
    if since >= until:
        raise InvalidInput("since must be before until", code="invalid_window")
    tenant_id = caller.list_scope(tenant)
    if endpoint is not None:
        caller.check_tenant((await get_endpoint(session, endpoint_id=endpoint)).tenant_id)
    report = await quality_report(
        session, since=since, until=until, tenant_id=tenant_id, endpoint_id=endpoint
    )
    by_status = report.callbacks_by_status
    delivered = by_status.get("delivered", 0)
    ended = delivered + by_status.get("dead_lettered", 0) + by_status.get("cancelled", 0)
    return QualityReportPublic(
        since=since,
        until=until,
        tenant_id=tenant_id,
        endpoint_id=endpoint,
        callbacks=by_status,
        success_rate=_ratio(delivered, ended),
        attempts=report.attempts,
        attempt_success_rate=_ratio(report.attempts_succeeded, report.attempts),
        attempts_per_success=_ratio(report.delivered_attempts, delivered),
        latency_ms=Percentiles(**report.latency_ms),
        attempt_duration_ms=Percentiles(**report.attempt_duration_ms),
        top_errors=[ErrorCount(error=e, count=n) for e, n in report.top_errors],
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
