"""Prometheus metrics of the API and the worker (one registry per process, built on start)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram

from core.breaker import BREAKER_STATES

__all__ = ["Metrics", "status_class"]

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)


def status_class(status_code: int | None) -> str:
    """``2xx`` .. ``5xx``, or ``error`` when no answer came (timeout, refused, garbage)."""
    return f"{status_code // 100}xx" if status_code else "error"


class Metrics:
    """Every metric GouTong exports; see docs/operations.md for what each one means."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter(
            "goutong_events",
            "Events posted to the API, by result (accepted, duplicate, rejected)",
            ["result"],
            registry=r,
        )
        self.callbacks_started = Counter(
            "goutong_callbacks_started", "Callbacks (workflows) started by ingestion", registry=r
        )
        self.attempts = Counter(
            "goutong_attempts",
            "Delivery tries, by receiver status class and trigger",
            ["status_class", "trigger"],
            registry=r,
        )
        self.attempt_seconds = Histogram(
            "goutong_attempt_duration_seconds",
            "Duration of one delivery try",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.outcomes = Counter(
            "goutong_callback_outcomes",
            "Callbacks reaching an outcome (delivered, dead_lettered, cancelled)",
            ["outcome"],
            registry=r,
        )
        self.accept_to_delivery = Histogram(
            "goutong_accept_to_delivery_seconds",
            "From the API accepting the event to the receiver's 2xx",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.attempts_per_delivery = Histogram(
            "goutong_attempts_per_delivered_callback",
            "Tries a delivered callback took",
            buckets=(1, 2, 3, 5, 8, 13, 21, 34),
            registry=r,
        )
        self.batch_size = Histogram(
            "goutong_batch_size",
            "Callbacks per batch POST (endpoints with batched delivery)",
            buckets=(1, 2, 5, 10, 20, 50, 100),
            registry=r,
        )
        self.breaker_state = Enum(
            "goutong_breaker_state",
            "Circuit breaker state per endpoint, as this process last saw or moved it",
            ["endpoint_id"],
            states=list(BREAKER_STATES),
            registry=r,
        )
        self.breaker_transitions = Counter(
            "goutong_breaker_transitions",
            "Circuit breaker transitions this process decided, by from and to state",
            ["from_state", "to_state"],
            registry=r,
        )
        self.throttled_waits = Counter(
            "goutong_throttled_waits",
            "Tries deferred without spending an attempt, by kind (circuit, rate, concurrency)",
            ["kind"],
            registry=r,
        )
        self.target_healthy = Gauge(
            "goutong_target_healthy",
            "1 while an endpoint's target takes callbacks, 0 while it is marked down",
            ["endpoint_id", "target"],
            registry=r,
        )
        self.health_checks = Counter(
            "goutong_health_checks",
            "Active health checks of targets, by result (healthy, unhealthy)",
            ["result"],
            registry=r,
        )
        self.endpoints_disabled = Counter(
            "goutong_endpoints_auto_disabled",
            "Endpoints the engine disabled, by reason (gone: 410; failing: failed too long)",
            ["reason"],
            registry=r,
        )
        self.alerts_firing = Gauge(
            "goutong_alerts_firing",
            "Alerts firing now, by kind (set by the worker that runs the alert evaluation)",
            ["kind"],
            registry=r,
        )
