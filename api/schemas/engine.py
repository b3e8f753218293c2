"""What the delivery engine knows of an endpoint right now: its breaker and its targets."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class BreakerPublic(BaseModel):
    state: str = Field(description="closed, open or half_open")
    changed_at: datetime | None
    window_started_at: datetime | None
    window_requests: int
    window_failures: int
    consecutive_failures: int
    failing_since: datetime | None = Field(
        default=None,
        description="First failure of the current run of failures; null after a success. "
        "An endpoint failing this long (GOUTONG_ENDPOINT_DISABLE_AFTER_SECONDS) is disabled.",
    )


class BreakerTransitionPublic(BaseModel):
    id: str
    from_state: str
    to_state: str
    reason: str
    window_requests: int
    window_failures: int
    consecutive_failures: int
    at: datetime


class TargetHealthPublic(BaseModel):
    url: str = Field(description="Without credentials; #stream for a Redis stream.")
    weight: int
    enabled: bool
    healthy: bool
    unhealthy_until: datetime | None = None
    failures: int = Field(default=0, description="Failures in a row before the last success.")
    last_error: str | None = None
    in_flight: int = 0


class EndpointHealth(BaseModel):
    endpoint_id: str
    enabled: bool
    disabled_reason: str | None
    breaker: BreakerPublic
    transitions: list[BreakerTransitionPublic] = Field(
        default_factory=list, description="The breaker's newest transitions first (up to 20)."
    )
    targets: list[TargetHealthPublic]
