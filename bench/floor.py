"""The two floors our figures are measured against, on the same machine and receivers.

- bare Temporal: ``FloorWorkflow`` runs one regular activity that POSTs a body of the same size
  (worker: ``python -m bench.floor worker``, with the service's worker settings);
- raw HTTP: the same POSTs from one asyncio loop with httpx, no Temporal.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    import httpx
    from temporalio.client import Client
    from temporalio.exceptions import ApplicationError
    from temporalio.worker import (
        PollerBehaviorSimpleMaximum,
        UnsandboxedWorkflowRunner,
        Worker,
    )

    from bench.load import Accepted, paced
    from core.settings import Settings

__all__ = ["FloorActivities", "FloorInput", "FloorWorkflow", "raw_http", "start_floor"]


@dataclass
class FloorInput:
    url: str
    size: int


def filler(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes (at least 12)."""
    return b'{"pad":"' + b"x" * max(0, size - 10) + b'"}'


class FloorActivities:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @activity.defn(name="floor_post")
    async def post(self, input: FloorInput) -> int:
        info = activity.info()
        response = await self._http.post(
            input.url,
            content=filler(input.size),
            headers={"content-type": "application/json", "webhook-id": info.workflow_id or ""},
            timeout=15,
        )
        if not response.is_success:
            raise ApplicationError(f"HTTP {response.status_code}")
        return response.status_code


@workflow.defn
class FloorWorkflow:
    """One regular activity, default retry policy: the least a Temporal callback can cost."""

    @workflow.run
    async def run(self, input: FloorInput) -> int:
        return await workflow.execute_activity_method(
            FloorActivities.post, input, start_to_close_timeout=timedelta(seconds=15)
        )


async def start_floor(
    client: Client,
    task_queue: str,
    urls: list[str],
    size: int,
    concurrency: int,
    rate: float | None,
    run: str,
) -> Accepted:
    """Starts one FloorWorkflow per url at the API path's concurrency (and rate)."""
    accepted = Accepted()

    async def one(i: int) -> None:
        workflow_id = f"floor-{run}-{i}"
        await client.start_workflow(
            FloorWorkflow.run, FloorInput(urls[i], size), id=workflow_id, task_queue=task_queue
        )
        accepted.at[workflow_id] = time.time()

    accepted.started, accepted.finished = await paced(len(urls), concurrency, rate, one)
    return accepted


async def raw_http(
    urls: list[str], size: int, concurrency: int, max_connections: int, run: str
) -> Accepted:
    """The same POSTs without Temporal; 'accepted' is when each POST was sent."""
    accepted = Accepted()
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    body = filler(size)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as http:

        async def one(i: int) -> None:
            webhook_id = f"raw-{run}-{i}"
            sent = time.time()
            headers = {"content-type": "application/json", "webhook-id": webhook_id}
            try:
                response = await http.post(urls[i], content=body, headers=headers, timeout=15)
                response.raise_for_status()
            except httpx.HTTPError:
                accepted.errors += 1
                return
            accepted.at[webhook_id] = sent

        accepted.started, accepted.finished = await paced(len(urls), concurrency, None, one)
    return accepted


async def serve_worker() -> None:
    """The floor's worker, configured from the same GOUTONG_* settings as ours."""
    settings = Settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    limits = httpx.Limits(
        max_connections=settings.http_max_connections,
        max_keepalive_connections=settings.http_max_connections,
    )
    tuning: dict[str, Any] = {}  # lever experiments only (docs/performance.md); off by default
    if os.environ.get("BENCH_FLOOR_POLLERS"):
        pollers = int(os.environ["BENCH_FLOOR_POLLERS"])
        tuning["workflow_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
        tuning["activity_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
    if os.environ.get("BENCH_FLOOR_SANDBOX") == "0":
        tuning["workflow_runner"] = UnsandboxedWorkflowRunner()
    async with httpx.AsyncClient(limits=limits, follow_redirects=False, trust_env=False) as http:
        worker = Worker(
            client,
            task_queue=settings.temporal_task_queue,
            workflows=[FloorWorkflow],
            activities=[FloorActivities(http).post],
            max_concurrent_activities=settings.max_concurrent_activities,
            max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
            **tuning,
        )
        async with worker:
            await asyncio.Event().wait()  # until SIGTERM


def main() -> None:
    if sys.argv[1:] != ["worker"]:
        raise SystemExit("usage: python -m bench.floor worker")
    import signal

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # sdk-python#300: no interpreter exit
    try:
        if os.environ.get("BENCH_FLOOR_LOOP") == "uvloop":  # a variant, not the floor itself
            import uvloop

            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(serve_worker())
        else:
            asyncio.run(serve_worker())
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    from bench import floor  # the sandbox must see the workflow under its module name

    floor.main()
