"""The delivery engine's state shared by workers: target health, runtime, breaker, leases."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.types import utc_column, utcnow

__all__ = ["BreakerTransition", "DeliveryLease", "EndpointRuntime", "TargetHealth"]


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
    # when its operational event was handed over (stored and started): None = not yet, and
    # the alerts evaluator's sweep tells it again after a minute (an outbox)
    handed_over_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True, index=True)
    )


class DeliveryLease(SQLModel, table=True):
    """A delivery in flight (least connections, concurrency limit); it expires on its own if
    its worker dies."""

    __tablename__ = "delivery_lease"

    id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    target: str = Field(max_length=64)
    expires_at: datetime = Field(sa_column=utc_column(index=True))
