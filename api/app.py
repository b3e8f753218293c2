"""create_app(): the FastAPI gateway, its lifespan and its routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.client import Client

from api.catalogue import CatalogueCache
from api.client_address import parse_networks
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.limits import BodySizeLimit
from api.ratelimit import RateLimiter
from api.routes import (
    alert_rules,
    alerts,
    api_keys,
    audit,
    callbacks,
    endpoint_health,
    endpoint_revisions,
    endpoint_secrets,
    endpoint_templates,
    endpoints,
    event_types,
    events,
    health,
    linkage_rules,
    recoveries,
    stats,
    suppressions,
    tenants,
)
from api.tokens import TokenVerifier
from console import install_console
from core.masking import configure_masking, rules_from_settings
from core.settings import Settings, get_settings
from runtime.bootstrap import bootstrap
from runtime.callbacks import CallbackControl
from runtime.gc_tuning import tune_gc
from runtime.metrics import Metrics
from runtime.secrets import load_secret_box
from runtime.temporal import connect
from runtime.tracing import Tracing, build_tracing
from store.db import Database

__all__ = ["ROUTE_MODULES", "create_app", "served_app"]

log = logging.getLogger(__name__)

DESCRIPTION = """
GouTong Callbacks: every status change and user behaviour of a message, delivered to the
tenant's endpoints as signed (Standard Webhooks), retried, traceable HTTP callbacks — one
Temporal workflow per callback.

Authenticate with `Authorization: Bearer <api key>` (or `X-API-Key`).
Errors are `{"code", "message", "details"}` with a 4xx/5xx status.
"""


ROUTE_MODULES = (
    health,
    tenants,
    endpoints,
    endpoint_secrets,
    endpoint_revisions,
    endpoint_health,
    endpoint_templates,
    recoveries,
    events,
    event_types,
    callbacks,
    stats,
    linkage_rules,
    suppressions,
    alert_rules,
    alerts,
    api_keys,
    audit,
)
"""Every router of the API, in the order they are mounted."""


def served_app() -> FastAPI:
    """The app of an API server process (``goutong api``: uvicorn's factory in each of its
    processes): as create_app, and the process's garbage collector tuned once it started."""
    return create_app(owns_process=True)


def create_app(
    settings: Settings | None = None, tracing: Tracing | None = None, *, owns_process: bool = False
) -> FastAPI:
    """``tracing``: given by a caller that owns it (tests); else built from ``settings``.
    ``owns_process``: the app is its process's main job (runtime.gc_tuning after startup)."""
    settings = settings or get_settings()
    owns_tracing = tracing is None
    tracing = tracing or build_tracing(settings, "api")
    interceptors = tracing.temporal_interceptors()

    async def connect_traced(settings: Settings) -> Client:
        return await connect(settings, interceptors=interceptors)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.resolved_database_url())
        if await bootstrap(db, settings):
            log.warning("generated the bootstrap admin API key in %s", settings.admin_key_file)
        app.state.settings = settings
        app.state.db = db
        app.state.secret_box = load_secret_box(settings)
        app.state.catalogue = CatalogueCache(settings.event_type_cache_seconds)
        try:
            async with AsyncExitStack() as stack:
                if settings.api_embedded_worker:
                    app.state.control = await _embed_worker(stack, settings, db, metrics, tracing)
                else:
                    app.state.control = CallbackControl(settings, connect_traced)
                if owns_process:
                    tune_gc(settings.gc_gen0_threshold)
                yield
        finally:
            await db.dispose()
            if owns_tracing:
                tracing.shutdown()

    app = FastAPI(
        title="GouTong Callbacks",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.metrics = metrics = Metrics()
    app.state.trusted_proxies = parse_networks(settings.trusted_proxies)
    app.state.trusted_proxy_header = settings.trusted_proxy_header
    app.state.tokens = TokenVerifier(settings)
    app.state.rate_limiter = RateLimiter()
    configure_masking(rules_from_settings(settings))  # audit summaries and log lines

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        """Prometheus text format; unauthenticated, like /healthz: keep it on the inside."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    install_error_handlers(app)
    tracing.instrument_app(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for module in ROUTE_MODULES:
        app.include_router(module.router, responses=ERROR_RESPONSES)
    install_console(app)
    app.include_router(event_types.public_router, responses=ERROR_RESPONSES)
    return app


async def _embed_worker(
    stack: AsyncExitStack, settings: Settings, db: Database, metrics: Metrics, tracing: Tracing
) -> CallbackControl:
    """GOUTONG_API_EMBEDDED_WORKER: a worker in this process on the API's Temporal client (so
    new callbacks start eagerly and their first try runs here), stopped with the API."""
    from worker import running_worker

    client = await connect(settings, interceptors=tracing.temporal_interceptors())

    async def same_client(_: Settings) -> Client:
        return client

    await stack.enter_async_context(running_worker(client, settings, db, metrics, tracing))
    return CallbackControl(settings, same_client, eager=True)
