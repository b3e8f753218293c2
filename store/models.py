"""The tables of the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = [
    "ApiKey",
    "Attempt",
    "AuditEntry",
    "BreakerTransition",
    "Callback",
    "DeliveryLease",
    "Endpoint",
    "EndpointRevision",
    "EndpointRuntime",
    "EndpointTemplate",
    "Event",
    "EventType",
    "LinkageRule",
    "Suppression",
    "TargetHealth",
    "Tenant",
]


class Tenant(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Endpoint(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, foreign_key="tenant.id", max_length=64)
    name: str = Field(default="", max_length=200)
    url: str = Field(max_length=2048)
    event_types: list[str] = Field(default_factory=list, sa_column=json_column())
    channels: list[str] = Field(default_factory=list, sa_column=json_column())
    secret: str = Field(max_length=300, description="sealed (core.secret_box)")
    previous_secret: str | None = Field(default=None, max_length=300)
    previous_secret_expires_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
    headers: dict[str, str] = Field(default_factory=dict, sa_column=json_column())
    timeout_seconds: float = 15.0
    retry: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=500)
    disabled_by: str | None = Field(default=None, max_length=64)
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    targets: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=json_column(), description="url, weight, enabled, stream"
    )
    protocol: str = Field(default="http", max_length=16)
    payload_format: str = Field(default="json", max_length=8)
    balancing: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    auth: dict[str, Any] = Field(
        default_factory=dict, sa_column=json_column(), description="public parts only"
    )
    auth_secret: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True), description="sealed JSON"
    )
    rate_limit: dict[str, Any] | None = Field(default=None, sa_column=json_column(nullable=True))
    max_in_flight: int | None = None
    health_check: dict[str, Any] | None = Field(
        default=None, sa_column=json_column(nullable=True), description="path, interval_seconds"
    )
    batch: dict[str, Any] | None = Field(
        default=None, sa_column=json_column(nullable=True), description="max_events, max_wait_ms"
    )
    revision: int = Field(default=0, description="number of the newest EndpointRevision")
    template_id: str | None = Field(default=None, max_length=64)
    template_revision: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class EndpointRevision(SQLModel, table=True):
    """One change of an endpoint: who, when, the public configuration after it, the diff."""

    __tablename__ = "endpoint_revision"
    __table_args__ = (UniqueConstraint("endpoint_id", "number"),)

    id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    number: int
    action: str = Field(max_length=32)
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    secret_marks: dict[str, Any] = Field(
        default_factory=dict, sa_column=json_column(), description="digests of sealed secrets"
    )
    sealed_auth: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True), description="for a rollback"
    )
    rolled_back_to: int | None = None


class EndpointTemplate(SQLModel, table=True):
    """Named endpoint defaults of a tenant, or global (tenant_id None)."""

    __tablename__ = "endpoint_template"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    revision: int = 1
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    key_hash: str = Field(unique=True, max_length=64)
    hint: str = Field(max_length=32)
    role: str = Field(max_length=32)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    allowed_cidrs: list[str] = Field(default_factory=list, sa_column=json_column())
    rate_limit_per_second: float | None = None
    rate_limit_burst: int | None = None
    expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Event(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    external_id: str = Field(max_length=200)
    body_hash: str = Field(max_length=64)
    type: str = Field(max_length=200)
    message_id: str = Field(max_length=200)
    occurred_at: datetime = Field(sa_column=utc_column())
    received_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    type_version: int | None = Field(
        default=None, description="the catalogue version of the type its data matched"
    )


class Callback(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=100)
    tenant_id: str = Field(index=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    event_id: str = Field(index=True, max_length=64)
    event_type: str = Field(index=True, max_length=200)
    message_id: str = Field(max_length=200)
    status: str = Field(default="pending", index=True, max_length=32)
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Attempt(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    callback_id: str = Field(index=True, max_length=100)
    attempt: int
    trigger: str = Field(max_length=16)
    target_url: str = Field(max_length=2048)
    status_code: int | None = None
    duration_ms: int = 0
    response_excerpt: str = Field(default="", max_length=8192)
    error: str | None = Field(default=None, max_length=2000)
    batch_id: str | None = Field(default=None, max_length=64, description="the POST it rode in")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class AuditEntry(SQLModel, table=True):
    """One configuration change or manual intervention: who, what, when, from where."""

    __tablename__ = "audit_entry"

    id: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    actor: str = Field(index=True, max_length=200, description="API key id or JWT subject")
    actor_kind: str = Field(max_length=16, description="api_key or jwt")
    role: str = Field(max_length=32)
    address: str | None = Field(default=None, max_length=64)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    action: str = Field(index=True, max_length=64)
    resource: str = Field(index=True, max_length=200)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())


class LinkageRule(SQLModel, table=True):
    """A follow-on: on which triggers, for which events, which kind with which parameters."""

    __tablename__ = "linkage_rule"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, foreign_key="tenant.id", max_length=64)
    name: str = Field(default="", max_length=200)
    enabled: bool = True
    triggers: list[str] = Field(default_factory=list, sa_column=json_column())
    filter: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    action: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    secret: str | None = Field(default=None, max_length=300, description="sealed; webhook only")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Suppression(SQLModel, table=True):
    """A recipient the tenant's messages must no longer go to (unsubscribed, hard bounce...)."""

    __table_args__ = (UniqueConstraint("tenant_id", "recipient"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    recipient: str = Field(max_length=320)
    channel: str | None = Field(default=None, max_length=200)
    reason: str = Field(max_length=200)
    source: str = Field(default="", max_length=300, description="rule, callback or 'manual'")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class TargetHealth(SQLModel, table=True):
    """A target's passive health, shared by every worker: unhealthy until its cool-down ends."""

    __tablename__ = "target_health"

    endpoint_id: str = Field(primary_key=True, max_length=64)
    target: str = Field(primary_key=True, max_length=64, description="hash of url and stream")
    url: str = Field(max_length=2048)
    unhealthy_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    failures: int = Field(default=0, description="consecutive failures")
    last_error: str | None = Field(default=None, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class EndpointRuntime(SQLModel, table=True):
    """An endpoint's delivery state shared by every worker: the balancing sequence, the
    circuit breaker, the rate limit's token bucket."""

    __tablename__ = "endpoint_runtime"

    endpoint_id: str = Field(primary_key=True, max_length=64)
    sequence: int = 0
    breaker_state: str = Field(default="closed", max_length=16)
    breaker_changed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    window_started_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    window_requests: int = 0
    window_failures: int = 0
    consecutive_failures: int = 0
    tokens: float = 0.0
    tokens_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    failing_since: datetime | None = Field(
        default=None,
        sa_column=utc_column(nullable=True),
        description="first failure of the current run of failures (none since a success)",
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class BreakerTransition(SQLModel, table=True):
    """One change of an endpoint's circuit breaker, decided under its runtime row lock."""

    __tablename__ = "breaker_transition"

    id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    from_state: str = Field(max_length=16)
    to_state: str = Field(max_length=16)
    reason: str = Field(max_length=500)
    window_requests: int = 0
    window_failures: int = 0
    consecutive_failures: int = 0
    at: datetime = Field(sa_column=utc_column(index=True))


class DeliveryLease(SQLModel, table=True):
    """A delivery in flight (least connections, concurrency limit); it expires on its own if
    its worker dies."""

    __tablename__ = "delivery_lease"

    id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    target: str = Field(max_length=64)
    expires_at: datetime = Field(sa_column=utc_column(index=True))


class EventType(SQLModel, table=True):
    """One version of a catalogued event type: global (``tenant_id`` empty) or a tenant's own."""

    __tablename__ = "event_type"
    __table_args__ = (UniqueConstraint("tenant_id", "name", "version"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(default="", index=True, max_length=64, description="'' = global")
    name: str = Field(index=True, max_length=100)
    version: int
    description: str = Field(default="", max_length=2000)
    data_schema: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    builtin: bool = False
    published: bool = False
    deprecated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


from store import alert_models  # noqa: E402, F401  (registers the alerting tables)
