"""The Temporal worker: settings -> client -> activities with their dependencies -> Worker."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from prometheus_client import start_http_server
from temporalio.client import Client
from temporalio.worker import Worker

from activities.adapters import Adapter, build_adapters, open_adapters
from activities.adapters.guard import guarded_transport
from activities.adapters.http import pool_limits
from activities.alert_webhooks import AlertWebhooks
from activities.alerts import AlertActivities
from activities.breaker import CircuitBreaker
from activities.delivery import DeliveryActivities
from activities.endpoint_watch import EndpointWatch
from activities.follow_ons import FollowOnActivities
from activities.health_checks import HealthCheckActivities
from activities.records import RecordActivities
from activities.recovery import RecoveryActivities
from activities.sender import HttpSender
from activities.targeting import TargetPicker
from core.masking import rules_from_settings
from core.netguard import NetGuard
from core.settings import Settings, get_settings
from runtime.alerts import ensure_alerts_workflow
from runtime.bootstrap import bootstrap
from runtime.callbacks import CallbackControl
from runtime.gc_tuning import tune_gc
from runtime.health_checks import ensure_health_checks
from runtime.logs import configure_logging
from runtime.metrics import Metrics
from runtime.sandbox import workflow_runner
from runtime.secrets import load_secret_box
from runtime.temporal import connect, ensure_search_attributes, sdk_metrics_runtime
from runtime.tracing import Tracing, build_tracing
from runtime.workers import WorkerGroup
from store.db import Database
from workflows.alerts import AlertsWorkflow
from workflows.callback import CallbackWorkflow
from workflows.follow_on import FollowOnWorkflow
from workflows.health_check import HealthCheckWorkflow
from workflows.recovery import RecoveryWorkflow

__all__ = ["build_worker", "main", "run_worker", "running_worker"]

log = logging.getLogger("goutong.worker")
_LEASE_TTL = timedelta(seconds=75)  # longer than any try (endpoint timeout <= 60 s + margin)


def build_worker(
    client: Client,
    settings: Settings,
    db: Database,
    http: httpx.AsyncClient,
    metrics: Metrics | None = None,
    adapters: dict[str, Adapter] | None = None,
    tracing: Tracing | None = None,
) -> WorkerGroup:
    """The worker with every workflow and activity of the service registered (``adapters``:
    the caller closes them; built here when not given), plus the retry queue's worker with
    slots of its own (``retry_isolation=queue``; docs/architecture.md, isolation).
    ``tracing``: the delivery POST's span and traceparent; the Temporal spans come from the
    client's interceptors (``connect``)."""
    metrics = metrics or Metrics()
    sender = HttpSender(http, excerpt_bytes=settings.response_excerpt_bytes)
    box = load_secret_box(settings)
    guard = NetGuard(settings.allowed_target_networks)
    picker = TargetPicker(
        db,
        cooldown=timedelta(seconds=settings.target_cooldown_seconds),
        lease_ttl=_LEASE_TTL,
        metrics=metrics,
    )

    async def same_client(_: Settings) -> Client:
        return client

    control = CallbackControl(settings, same_client)
    watch = EndpointWatch(db, metrics, control)  # tells breaker transitions; sweeps their outbox
    delivery = DeliveryActivities(
        db=db,
        adapters=adapters or build_adapters(settings, guard),
        picker=picker,
        breaker=CircuitBreaker(db, settings.breaker_policy(), watch),
        client=client,
        settings=settings,
        box=box,
        metrics=metrics,
        control=control,
        tracing=tracing,
    )
    records = RecordActivities(db, metrics)
    recovery = RecoveryActivities(db, control)
    webhooks = AlertWebhooks(db=db, sender=sender, box=box, settings=settings)
    follow_ons = FollowOnActivities(
        db=db, control=control, sender=sender, box=box, settings=settings, webhooks=webhooks
    )
    alerts = AlertActivities(
        db=db, webhooks=webhooks, settings=settings, metrics=metrics, watch=watch
    )
    health = HealthCheckActivities(db=db, box=box, guard=guard, settings=settings, metrics=metrics)
    main = Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=[
            CallbackWorkflow,
            RecoveryWorkflow,
            FollowOnWorkflow,
            AlertsWorkflow,
            HealthCheckWorkflow,
        ],
        activities=[
            delivery.deliver,
            records.record_status,
            recovery.recover_page,
            follow_ons.suppress,
            follow_ons.notify,
            follow_ons.post_webhook,
            follow_ons.escalate,
            alerts.evaluate,
            alerts.send,
            health.check_health,
        ],
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_local_activities=settings.max_concurrent_local_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        workflow_runner=workflow_runner(settings.workflow_sandbox),
    )
    # always polled (cheap): callbacks started while the setting said "queue" still retry
    retries = Worker(
        client,
        task_queue=settings.retry_task_queue(),
        activities=[delivery.deliver],
        max_concurrent_activities=settings.retry_max_concurrent_activities,
    )
    return WorkerGroup([main, retries])


def http_client(settings: Settings) -> httpx.AsyncClient:
    limits = pool_limits(settings.http_max_connections, settings.http_keepalive_seconds)
    transport = guarded_transport(NetGuard(settings.allowed_target_networks), limits=limits)
    return httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    db = Database(settings.resolved_database_url())
    await bootstrap(db, settings)
    try:
        runtime = sdk_metrics_runtime(settings)
    except Exception as exc:  # e.g. the port is taken: run without the SDK's metrics
        log.warning("Temporal SDK metrics are off: %s", exc)
        runtime = None
    tracing = build_tracing(settings, "worker")
    client = await connect(settings, runtime, tracing.temporal_interceptors())
    if settings.register_search_attributes:
        await ensure_search_attributes(client, settings.temporal_namespace)
    metrics = Metrics()
    if settings.worker_metrics_port:
        try:
            start_http_server(
                settings.worker_metrics_port, settings.worker_metrics_host, metrics.registry
            )
        except OSError as exc:
            log.warning("worker metrics are off: port %s: %s", settings.worker_metrics_port, exc)
    stop = stop or asyncio.Event()
    async with running_worker(client, settings, db, metrics, tracing):
        tune_gc(settings.gc_gen0_threshold)  # after startup: what it built is frozen
        await stop.wait()
    await db.dispose()
    tracing.shutdown()


@asynccontextmanager
async def running_worker(
    client: Client,
    settings: Settings,
    db: Database,
    metrics: Metrics,
    tracing: Tracing | None = None,
) -> AsyncIterator[WorkerGroup]:
    """The worker polling (with its HTTP client and adapters; the AlertsWorkflow and the health
    checks ensured) until the block ends; also what the API runs in its own process with
    GOUTONG_API_EMBEDDED_WORKER."""
    async with http_client(settings) as http, open_adapters(settings) as adapters:
        worker = build_worker(client, settings, db, http, metrics, adapters, tracing)
        log.info(
            "worker polling %s and %s on %s",
            settings.temporal_task_queue,
            settings.retry_task_queue(),
            settings.temporal_address,
        )
        async with worker:
            alerts = await ensure_alerts_workflow(client, settings)
            log.info("alerts workflow %s running (run %s)", alerts.id, alerts.result_run_id)
            await ensure_health_checks(client, settings, db)
            yield worker


def loop_factory(settings: Settings) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop (GOUTONG_EVENT_LOOP=uvloop, the default) or None: asyncio's own."""
    if settings.event_loop == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format, rules_from_settings(settings))

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop)

    code = 0
    try:
        with asyncio.Runner(loop_factory=loop_factory(settings)) as runner:
            runner.run(serve())
    except Exception:
        log.exception("worker failed")
        code = 1
    os._exit(code)  # sdk-python#300: avoid the PyGILState_Release abort at interpreter exit


if __name__ == "__main__":
    main()
