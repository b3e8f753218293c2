"""The Temporal worker: settings -> client -> activities with their dependencies -> Worker."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities.delivery import DeliveryActivities
from activities.records import RecordActivities
from activities.sender import HttpSender
from core.settings import Settings, get_settings
from runtime.bootstrap import bootstrap
from runtime.secrets import load_secret_box
from runtime.temporal import connect, ensure_search_attributes
from store.db import Database
from workflows.callback import CallbackWorkflow

__all__ = ["build_worker", "main", "run_worker"]

log = logging.getLogger("goutong.worker")


def build_worker(
    client: Client, settings: Settings, db: Database, http: httpx.AsyncClient
) -> Worker:
    """The worker with every workflow and activity of the service registered."""
    delivery = DeliveryActivities(
        db=db,
        sender=HttpSender(http, excerpt_bytes=settings.response_excerpt_bytes),
        client=client,
        settings=settings,
        box=load_secret_box(settings),
    )
    records = RecordActivities(db)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[CallbackWorkflow],
        activities=[delivery.deliver, records.record_status],
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
    )


def http_client(settings: Settings) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=settings.http_max_connections,
        max_keepalive_connections=settings.http_max_connections,
    )
    return httpx.AsyncClient(limits=limits, follow_redirects=False, trust_env=False)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.resolved_database_url())
    await bootstrap(db, settings)
    client = await connect(settings)
    if settings.register_search_attributes:
        await ensure_search_attributes(client, settings.temporal_namespace)
    stop = stop or asyncio.Event()
    async with http_client(settings) as http:
        worker = build_worker(client, settings, db, http)
        log.info("worker polling %s on %s", settings.temporal_task_queue, settings.temporal_address)
        async with worker:
            await stop.wait()
    await db.dispose()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(get_settings(), stop)

    code = 0
    try:
        asyncio.run(serve())
    except Exception:
        log.exception("worker failed")
        code = 1
    os._exit(code)  # sdk-python#300: avoid the PyGILState_Release abort at interpreter exit


if __name__ == "__main__":
    main()
