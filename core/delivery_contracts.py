"""The delivery engine's I/O: endpoint delivery specs, deliveries, failed tries, health checks."""

# No `from __future__ import annotations` here: the SDK resolves these hints on every payload,
# and string annotations cost ~5x more to resolve (tests/core/test_contracts.py keeps it so).

from dataclasses import dataclass, field
from datetime import datetime

from core.callback_contracts import RetrySpec

__all__ = [
    "AttemptReport",
    "BatchSpec",
    "DeliveryRequest",
    "DeliveryResult",
    "DeliveryTarget",
    "EndpointDeliverySpec",
    "HealthCheckInput",
    "HealthCheckRound",
    "HealthCheckRun",
    "RateLimitSpec",
]


@dataclass
class DeliveryTarget:
    """One target of an endpoint: an HTTP(S) URL, or a Redis URL and stream."""

    url: str
    weight: int = 1
    enabled: bool = True
    stream: str | None = None


@dataclass
class RateLimitSpec:
    per_second: float
    burst: int


@dataclass
class BatchSpec:
    """Batched delivery: up to ``max_events`` envelopes, or what ``max_wait_ms`` collected, in
    one POST as a JSON array (activities.batching)."""

    max_events: int
    max_wait_ms: int


@dataclass
class EndpointDeliverySpec:
    """How an endpoint wants to be delivered to, as the delivery engine reads it (no secrets).

    ``strategy`` is round_robin, weighted_round_robin, least_connections or consistent_hash
    (which hashes the envelope field ``hash_key``); ``protocol`` is http, https or
    redis_stream; ``payload_format`` is json or xml; ``auth_type`` is none, basic, bearer or
    mtls (its secret parts stay sealed in the store).
    """

    endpoint_id: str
    protocol: str = "http"
    payload_format: str = "json"
    targets: list[DeliveryTarget] = field(default_factory=list)
    strategy: str = "round_robin"
    hash_key: str = "message_id"
    auth_type: str = "none"
    rate_limit: RateLimitSpec | None = None
    max_in_flight: int | None = None
    batch: BatchSpec | None = None

    def enabled_targets(self) -> list[DeliveryTarget]:
        return [t for t in self.targets if t.enabled]


@dataclass
class DeliveryRequest:
    """One activity execution: up to ``max_attempts`` tries, numbered after ``attempt_offset``."""

    callback_id: str
    attempt_offset: int
    max_attempts: int
    trigger: str  # "scheduled" or "manual" (for the first try of this execution)
    retry: RetrySpec
    deadline: datetime
    target_url: str | None = None  # a redirect: deliver once to this URL instead
    force: bool = False  # send even if the store says delivered (an operator's replay)
    slot_reserved: bool = False  # a rate-limit slot was reserved for this execution's first try


@dataclass
class DeliveryResult:
    attempt: int
    status_code: int
    duration_ms: int


@dataclass
class AttemptReport:
    """A failed try, sent by the delivery activity as the ``attempt_failed`` signal."""

    attempt: int
    error: str
    status_code: int | None = None
    next_attempt_at: datetime | None = None
    deferral: str | None = None  # nothing sent: "circuit", "rate" (slot reserved), "concurrency"


@dataclass
class HealthCheckInput:
    """HealthCheckWorkflow's input: one workflow per endpoint with an active health check."""

    endpoint_id: str
    rounds: int = 0  # rounds done by earlier runs (continue-as-new)
    rounds_per_run: int = 100  # then continue-as-new, so the history stays small


@dataclass
class HealthCheckRound:
    """One round of checks (HealthCheckWorkflow's result too: the last round)."""

    endpoint_id: str
    healthy: int = 0
    unhealthy: int = 0
    next_check_seconds: float | None = None  # None: no more checks (removed, disabled, gone)


@dataclass
class HealthCheckRun:
    """The ``check_health`` activity's input."""

    endpoint_id: str
