"""Success rate and latency over time per endpoint, from the API's quality report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes import endpoints as endpoints_api
from api.routes import stats as stats_api
from api.schemas import QualityReportPublic
from console.charts import Series, line_chart
from console.web import ConsoleRoute, OperatorDep, render
from core.errors import InvalidInput
from store.types import utcnow

__all__ = ["WINDOWS", "router"]

router = APIRouter(route_class=ConsoleRoute)

BUCKETS = 12
WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


@dataclass
class Bucket:
    start: datetime
    report: QualityReportPublic


@router.get("/charts")
async def charts(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    window = request.query_params.get("window") or "24h"
    if window not in WINDOWS:
        raise InvalidInput(f"window must be one of {', '.join(WINDOWS)}", code="invalid_window")
    endpoints = await endpoints_api.list_endpoints(
        caller=operator.principal, session=session, tenant=None, cursor=None, limit=500
    )
    chosen = request.query_params.get("endpoint") or (
        endpoints.data[0].id if endpoints.data else None
    )
    context: dict[str, object] = {
        "endpoints": endpoints.data,
        "chosen": chosen,
        "window": window,
        "windows": list(WINDOWS),
    }
    if chosen is not None:
        buckets = await _buckets(operator, session, chosen, WINDOWS[window])
        context |= _drawn(buckets)
    return render(request, "charts.html", operator, context)


async def _buckets(
    operator: OperatorDep, session: SessionDep, endpoint_id: str, window: timedelta
) -> list[Bucket]:
    """One quality report per slice of the window (callbacks created in that slice)."""
    width = window / BUCKETS
    end = utcnow()
    starts = [end - window + width * i for i in range(BUCKETS)]
    return [
        Bucket(
            start,
            await stats_api.stats(
                caller=operator.principal,
                session=session,
                tenant=None,
                endpoint=endpoint_id,
                since=start,
                until=start + width,
            ),
        )
        for start in starts
    ]


def _drawn(buckets: list[Bucket]) -> dict[str, object]:
    starts = [b.start for b in buckets]
    rates = [
        None if b.report.success_rate is None else b.report.success_rate * 100 for b in buckets
    ]
    p50 = [b.report.latency_ms.p50 for b in buckets]
    p95 = [b.report.latency_ms.p95 for b in buckets]
    return {
        "buckets": buckets,
        "success_chart": line_chart(
            "Success rate (%) of callbacks created in each interval",
            starts,
            [Series("success rate", rates)],
            unit="%",
            top=100.0,
        ),
        "latency_chart": line_chart(
            "Latency, acceptance to delivery (ms): p50 and p95",
            starts,
            [Series("p50", p50), Series("p95", p95)],
            unit="",
            top=None,
        ),
    }
