"""Connecting to Temporal (local dev server, self-hosted or cloud) and registering our search
attributes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client, Interceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, TLSConfig

from core import search_attributes as sa
from core.settings import Settings

__all__ = ["connect", "ensure_search_attributes", "sdk_metrics_runtime"]

log = logging.getLogger(__name__)


def _tls(settings: Settings) -> TLSConfig | bool:
    if not settings.temporal_tls:
        return False

    def read(path: object) -> bytes | None:
        return open(path, "rb").read() if path else None  # type: ignore[call-overload]

    return TLSConfig(
        server_root_ca_cert=read(settings.temporal_tls_ca),
        client_cert=read(settings.temporal_tls_cert),
        client_private_key=read(settings.temporal_tls_key),
    )


async def connect(
    settings: Settings,
    runtime: Runtime | None = None,
    interceptors: Sequence[Interceptor] = (),
) -> Client:
    """``interceptors``: e.g. tracing's (runtime/tracing.py); a worker built on the client
    runs them too."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        tls=_tls(settings),
        api_key=settings.temporal_api_key,
        runtime=runtime,
        interceptors=interceptors,
    )


def sdk_metrics_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime exporting the SDK's own metrics (polls, latencies, slots) to
    Prometheus, or None when GOUTONG_WORKER_SDK_METRICS_PORT is 0."""
    if not settings.worker_sdk_metrics_port:
        return None
    address = f"{settings.worker_metrics_host}:{settings.worker_sdk_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Adds the missing GouTong search attributes (a no-op when they exist or are not ours to
    add, e.g. on Temporal Cloud, where they are created in the console)."""
    try:
        listed = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        missing = {
            key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
            for key in sa.ALL_KEYS
            if key.name not in listed.custom_attributes
        }
        if missing:
            await client.operator_service.add_search_attributes(
                AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
            )
    except RPCError as exc:
        log.warning("could not register search attributes: %s", exc)
