"""CallbackWorkflow's I/O: its input, outcome, signals, status query, records and follow-ons."""

# No `from __future__ import annotations` here: the SDK resolves these hints on every payload,
# and string annotations cost ~5x more to resolve (tests/core/test_contracts.py keeps it so).

from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "CallbackInput",
    "CallbackOutcome",
    "CallbackState",
    "CallbackStatus",
    "FollowOnInput",
    "FollowOnOutcome",
    "FollowOnSpec",
    "Intervention",
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
