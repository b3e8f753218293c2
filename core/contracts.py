"""Dataclasses that cross the Temporal boundary: workflow, activity, signal and query I/O.

They carry ids and small facts only; secrets and payload bodies stay in the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "AlertsEvaluation",
    "AlertsInput",
    "AlertsSend",
    "AlertsSent",
    "AlertsSummary",
    "AlertsTick",
    "AttemptReport",
    "BatchSpec",
    "CallbackInput",
    "CallbackOutcome",
    "CallbackState",
    "CallbackStatus",
    "DeliveryRequest",
    "DeliveryResult",
    "DeliveryTarget",
    "EndpointDeliverySpec",
    "FollowOnInput",
    "FollowOnOutcome",
    "FollowOnSpec",
    "HealthCheckInput",
    "HealthCheckRound",
    "HealthCheckRun",
    "Intervention",
    "RateLimitSpec",
    "RecordAck",
    "RedirectRequest",
    "RetrySpec",
    "StatusQuery",
    "StatusRecord",
]


class CallbackState:
    """The states a callback moves through (plain strings, so they travel as JSON)."""

    PENDING = "pending"
    DELIVERING = "delivering"
    RETRYING = "retrying"
    PAUSED = "paused"
    DELIVERED = "delivered"
    DEAD_LETTERED = "dead_lettered"
    CANCELLED = "cancelled"

    ALL = (PENDING, DELIVERING, RETRYING, PAUSED, DELIVERED, DEAD_LETTERED, CANCELLED)
    FINAL = (DELIVERED, CANCELLED)


@dataclass
class RetrySpec:
    """An endpoint's declared retry policy, as the workflow sees it."""

    strategy: str = "exponential"  # "exponential" or "fixed"
    initial_interval_seconds: float = 10.0
    backoff_coefficient: float = 2.0
    max_interval_seconds: float = 7200.0
    interval_seconds: float = 60.0
    max_attempts: int = 18
    max_duration_seconds: float = 86400.0


@dataclass
class FollowOnSpec:
    """A linkage rule as a callback carries it: which follow-on to start on which triggers.

    ``workflow_type`` and ``task_queue`` are set for a custom follow-on (a tenant's own worker);
    the built-in kinds run as FollowOnWorkflow on the service's own queue.
    """

    rule_id: str
    kind: str  # notify, suppress, webhook, escalate, workflow
    triggers: list[str]  # event, delivered, dead_lettered, cancelled, recovered
    workflow_type: str | None = None
    task_queue: str | None = None


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
class CallbackInput:
    """What a CallbackWorkflow is started with: ids and policy, never the payload."""

    callback_id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    message_id: str
    retry: RetrySpec = field(default_factory=RetrySpec)
    timeout_seconds: float = 15.0
    dead_letter_retention_seconds: float = 7 * 86400.0
    manual_only: bool = False  # a re-run from a closed dead letter: one manual attempt
    follow_ons: list[FollowOnSpec] = field(default_factory=list)  # rules matched at acceptance
    # isolation of retries (core.settings retry_isolation): the task queue the regular
    # (retrying) activity executions go to (None: the workflow's own), their Temporal
    # priority key (None: the default) and whether the endpoint is their fairness key
    retry_task_queue: str | None = None
    retry_priority_key: int | None = None
    retry_fairness: bool = False


@dataclass
class CallbackOutcome:
    callback_id: str
    state: str
    attempts: int
    last_error: str | None = None


@dataclass
class FollowOnInput:
    """What a follow-on workflow gets (built-in or custom): ids and facts, never the payload."""

    rule_id: str
    kind: str
    trigger: str
    tenant_id: str
    callback_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    message_id: str
    state: str
    attempts: int
    last_error: str | None = None


@dataclass
class FollowOnOutcome:
    rule_id: str
    trigger: str
    result: str  # what the follow-on did, in a few words (e.g. "suppressed", "posted 200")


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
class StatusRecord:
    """A state change the workflow writes to the store."""

    callback_id: str
    state: str
    attempts: int
    last_error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass
class RecordAck:
    callback_id: str


@dataclass
class Intervention:
    """Input of the retry_now, pause, resume and cancel signals."""

    actor: str = ""
    reason: str = ""


@dataclass
class RedirectRequest:
    """Input of the redirect signal: deliver once to ``url``."""

    url: str
    actor: str = ""
    reason: str = ""


@dataclass
class StatusQuery:
    """Input of the status query (no options yet)."""


@dataclass
class CallbackStatus:
    callback_id: str
    state: str
    attempts: int
    last_error: str | None = None
    last_status_code: int | None = None
    next_attempt_at: datetime | None = None


@dataclass
class RecoveryInput:
    """A bulk recovery: which callbacks (filters, ids only) and how far it has come."""

    recovery_id: str
    tenant_id: str | None = None
    endpoint_id: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_delivered: bool = False  # replay delivered callbacks too
    actor: str = ""
    page_size: int = 100
    cursor: str | None = None  # continue-as-new: where the previous run stopped
    processed: int = 0
    retried: int = 0
    skipped: int = 0


@dataclass
class RecoveryPage:
    input: RecoveryInput
    cursor: str | None


@dataclass
class RecoveryPageResult:
    processed: int
    retried: int
    skipped: int
    next_cursor: str | None


@dataclass
class RecoveryProgress:
    recovery_id: str
    tenant_id: str | None
    state: str  # running, completed, cancelled
    processed: int
    retried: int
    skipped: int


@dataclass
class AlertsInput:
    """What an AlertsWorkflow run starts with: how many runs came before it (continue-as-new)."""

    run: int = 0


@dataclass
class AlertsTick:
    """One evaluation of every alert rule."""

    run: int
    iteration: int


@dataclass
class AlertsEvaluation:
    """What one evaluation did, and the evaluator's settings as the worker has them now."""

    fired: int
    resolved: int
    unsent: int  # alert webhooks waiting to be (re)sent
    interval_seconds: float
    iterations_per_run: int


@dataclass
class AlertsSend:
    """Send the alert webhooks waiting in the outbox (no options yet)."""


@dataclass
class AlertsSent:
    sent: int
    failed: int


@dataclass
class AlertsSummary:
    """What an AlertsWorkflow run would return (it continues as new instead)."""

    run: int
    iterations: int


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
