"""Figures of one phase: rates, accept-to-receipt latency percentiles, history sizes."""

from __future__ import annotations

import asyncio
import math
import random
import statistics
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.load import Accepted, Receipts

__all__ = ["delivered_last", "history_sizes", "per_second", "percentile", "summarize"]

_CLOSED = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of unsorted values; NaN when there are none."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(accepted: Accepted, receipts: Receipts, expected: int) -> dict[str, Any]:
    """Accepted/s at the front door, delivered/s at the receivers, and latency in ms."""
    latencies = [
        (receipts[key][0] - at) * 1000 for key, at in accepted.at.items() if key in receipts
    ]
    received = [receipts[key][0] for key in accepted.at if key in receipts]
    ingest = accepted.finished - accepted.started
    last = max(received, default=accepted.started)
    span = last - accepted.started
    sizes = [receipts[key][2] for key in accepted.at if key in receipts]
    return {
        "accepted": len(accepted.at),
        "ingest_errors": accepted.errors,
        "expected": expected,
        "delivered": len(latencies),
        "ingest_seconds": round(ingest, 2),
        "span_seconds": round(span, 2),
        "accepted_per_s": round(len(accepted.at) / ingest, 1) if ingest > 0 else math.nan,
        "delivered_per_s": round(len(latencies) / span, 1) if span > 0 else math.nan,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(max(latencies, default=math.nan), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else math.nan,
        },
        "body_bytes": int(statistics.median(sizes)) if sizes else 0,
        "delivered_by_second": per_second(received, accepted.started),
    }


def per_second(times: list[float], start: float) -> list[int]:
    """How many of ``times`` fell in each whole second after ``start`` (a rate timeline)."""
    counts = [0] * (int(max(times, default=start) - start) + 1)
    for t in times:
        counts[max(0, int(t - start))] += 1
    return counts


async def _history_length(client: Client, workflow_id: str) -> int | None:
    """Events in the closed workflow's history (waits a little for it to close)."""
    for _ in range(10):
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        if history.events and history.events[-1].event_type in _CLOSED:
            return len(history.events)
        await asyncio.sleep(0.5)
    return None


def delivered_last(receipts: Receipts, count: int = 20) -> list[str]:
    """The ``count`` callbacks whose receipt came last (the tail of a run)."""
    return sorted(receipts, key=lambda key: receipts[key][0])[-count:]


async def history_sizes(client: Client, ids: list[str], sample: int = 20) -> dict[str, Any]:
    """History events per callback over a random sample of delivered workflows."""
    chosen = random.Random(8).sample(ids, min(sample, len(ids)))
    sizes = [n for n in [await _history_length(client, i) for i in chosen] if n is not None]
    if not sizes:
        return {"sampled": 0}
    return {
        "sampled": len(sizes),
        "mean": round(statistics.fmean(sizes), 2),
        "min": min(sizes),
        "max": max(sizes),
        "histogram": {str(k): sizes.count(k) for k in sorted(set(sizes))},
    }
