"""OpenTelemetry tracing: API request -> StartWorkflow -> RunWorkflow -> RunActivity -> HTTP POST.

Off by default (``GOUTONG_TRACING_EXPORTER=none``). Each process builds its ``Tracing`` at start
(the API in ``create_app``, the worker in ``run_worker``), never at import time, and hands its
tracer provider to the parts explicitly: the global OpenTelemetry provider is left alone, so an
embedding application (or a test) keeps its own.

Spans carry ids, names, status codes and host names only: never payload bodies, headers or
secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from temporalio.client import Interceptor

from core.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["EXPORTERS", "Tracing", "build_tracing"]

log = logging.getLogger(__name__)

EXPORTERS = ("none", "console", "otlp")
_SCOPE = "goutong"
_W3C = TraceContextTextMapPropagator()  # traceparent (+ tracestate) only: no baggage to receivers


class Tracing:
    """The process's tracing: a tracer provider, or nothing at all when tracing is off."""

    def __init__(self, provider: TracerProvider | None = None) -> None:
        self.provider = provider
        self._tracer = provider.get_tracer(_SCOPE) if provider is not None else None

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    def temporal_interceptors(self) -> list[Interceptor]:
        """The Temporal SDK's TracingInterceptor, for ``Client.connect`` (a worker built on
        that client gets it too); none when tracing is off."""
        if self._tracer is None:
            return []
        from temporalio.contrib.opentelemetry import TracingInterceptor

        return [TracingInterceptor(self._tracer)]

    def instrument_app(self, app: FastAPI) -> None:
        """A SERVER span per API request (``/metrics`` and ``/healthz`` are left out)."""
        if self.provider is None:
            return
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=self.provider, excluded_urls="/metrics,/healthz,/readyz"
        )

    @contextmanager
    def delivery(
        self, url: str, headers: MutableMapping[str, str], *, stream: str | None = None
    ) -> Iterator[_SendSpan]:
        """A CLIENT span around one delivery try (``POST``, or ``XADD`` to a Redis stream);
        puts its W3C ``traceparent`` into ``headers``. No span and no header when tracing is
        off."""
        if self._tracer is None:
            yield _SendSpan(None)
            return
        parts = urlsplit(url)  # hostname and port only: never the user or password
        attributes: dict[str, str | int] = {"server.address": parts.hostname or ""}
        if parts.port:
            attributes["server.port"] = parts.port
        if stream is None:
            name = "POST"
            attributes.update({"http.request.method": "POST", "url.scheme": parts.scheme})
        else:
            name = "XADD"
            attributes.update({"db.system.name": "redis", "db.operation.name": "XADD"})
        with self._tracer.start_as_current_span(
            name, kind=SpanKind.CLIENT, attributes=attributes, record_exception=False
        ) as span:
            _W3C.inject(headers)
            yield _SendSpan(span)

    def shutdown(self) -> None:
        """Flushes and stops the exporters (end of the process)."""
        if self.provider is not None:
            self.provider.shutdown()


class _SendSpan:
    """What the sender reports back onto the delivery span: status code or failure, no bodies."""

    def __init__(self, span: trace.Span | None) -> None:
        self._span = span

    def outcome(self, *, status_code: int | None, error: str | None) -> None:
        if self._span is None:
            return
        if status_code is not None:
            self._span.set_attribute("http.response.status_code", status_code)
        if error is not None:
            # the head of our own description only (``HTTP 503``, ``timeout after 10s``,
            # ``ConnectError``): an exception's message might quote a URL with a token in it
            self._span.set_status(Status(StatusCode.ERROR, error.split(":", 1)[0][:80]))


def build_tracing(
    settings: Settings, component: str, exporter: SpanExporter | None = None
) -> Tracing:
    """The tracing of ``settings`` for ``component`` (``api``, ``worker``: the service name is
    ``<tracing_service_name>-<component>``). ``exporter``: used instead of the configured one
    (e.g. an in-memory exporter in tests), sent every span as it ends."""
    if exporter is None and settings.tracing_exporter == "none":
        return Tracing()
    sampler = ParentBased(TraceIdRatioBased(settings.tracing_sample_ratio))
    resource = Resource.create({SERVICE_NAME: f"{settings.tracing_service_name}-{component}"})
    provider = TracerProvider(resource=resource, sampler=sampler)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_configured_exporter(settings)))
    return Tracing(provider)


def _configured_exporter(settings: Settings) -> SpanExporter:
    if settings.tracing_exporter == "console":
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as exc:
        raise RuntimeError(
            "GOUTONG_TRACING_EXPORTER=otlp needs the OTLP exporter: "
            "pip install 'goutong-callbacks[otlp]'"
        ) from exc
    endpoint = settings.tracing_otlp_endpoint.rstrip("/")
    if not endpoint.endswith("/v1/traces"):
        endpoint += "/v1/traces"
    headers = dict(_header_pairs(settings.tracing_otlp_headers))
    return OTLPSpanExporter(endpoint=endpoint, headers=headers or None)


def _header_pairs(text: str) -> Iterator[tuple[str, str]]:
    """``key=value,key2=value2`` (the OTEL_EXPORTER_OTLP_HEADERS format)."""
    for item in text.split(","):
        if "=" in item:
            key, value = item.split("=", 1)
            yield key.strip(), value.strip()
