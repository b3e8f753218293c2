"""Alert rules and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from api.schemas.common import ReadModel, StrictModel, TargetUrl

__all__ = [
    "AlertPublic",
    "AlertRuleCreate",
    "AlertRuleCreated",
    "AlertRulePublic",
    "AlertRuleUpdate",
    "check_rule",
]

RuleKind = Literal["success_rate_below", "dead_letters_over", "breaker_open_longer_than"]
AlertKind = Literal[
    "success_rate_below", "dead_letters_over", "breaker_open_longer_than", "escalation"
]
AlertState = Literal["firing", "resolved"]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Ref = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
MAX_SECONDS = 30 * 86400
Threshold = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
Window = Annotated[float, Field(ge=10, le=MAX_SECONDS, allow_inf_nan=False)]


def check_rule(kind: str, threshold: float, window_seconds: float | None) -> None:
    """What each kind needs: a rate in (0, 1], a whole count, a duration; with a window or
    (the breaker) without one."""
    if kind == "success_rate_below" and not 0 < threshold <= 1:
        raise ValueError("success_rate_below: threshold is a success rate in (0, 1]")
    if kind == "dead_letters_over" and not float(threshold).is_integer():
        raise ValueError("dead_letters_over: threshold is a whole number of dead letters")
    if kind == "breaker_open_longer_than":
        if threshold < 1:
            raise ValueError("breaker_open_longer_than: threshold is at least 1 second")
        if window_seconds is not None:
            raise ValueError("breaker_open_longer_than takes no window_seconds")
    elif window_seconds is None:
        raise ValueError(f"{kind} needs window_seconds")


class AlertRuleCreate(StrictModel):
    tenant_id: str | None = Field(default=None, description="Implied by a tenant-scoped key.")
    endpoint_id: Ref | None = Field(
        default=None, description="One endpoint of the tenant; empty: each of its endpoints."
    )
    name: Name
    kind: RuleKind
    threshold: Threshold = Field(
        description="success_rate_below: a rate in (0, 1]; dead_letters_over: a count (fires "
        "when more); breaker_open_longer_than: seconds"
    )
    window_seconds: Window | None = Field(
        default=None, description="The look-back (not for breaker_open_longer_than)"
    )
    min_callbacks: int = Field(
        default=10,
        ge=1,
        le=1_000_000,
        description="success_rate_below: outcomes in the window needed before it can fire",
    )
    enabled: bool = True
    webhook_url: TargetUrl | None = Field(
        default=None, description="Also POST this rule's alerts here, signed with its own secret"
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> AlertRuleCreate:
        check_rule(self.kind, self.threshold, self.window_seconds)
        return self


class AlertRuleUpdate(StrictModel):
    name: Name | None = None
    endpoint_id: Ref | None = None
    threshold: Threshold | None = None
    window_seconds: Window | None = None
    min_callbacks: int | None = Field(default=None, ge=1, le=1_000_000)
    enabled: bool | None = None
    webhook_url: TargetUrl | None = Field(default=None, description="null removes it")


class AlertRulePublic(ReadModel):
    id: str
    tenant_id: str
    endpoint_id: str | None
    name: str
    kind: str
    threshold: float
    window_seconds: float | None
    min_callbacks: int
    enabled: bool
    webhook_url: str | None
    created_at: datetime
    updated_at: datetime


class AlertRuleCreated(AlertRulePublic):
    secret: str | None = Field(
        default=None, description="The signing secret of webhook_url: shown once, when generated."
    )


class AlertPublic(ReadModel):
    id: str
    tenant_id: str
    rule_id: str = Field(description="The alert rule, or the linkage rule of an escalation")
    rule_name: str
    kind: str
    endpoint_id: str
    state: str
    value: float = Field(description="What was observed when it fired")
    threshold: float
    window_seconds: float | None
    fired_at: datetime | None
    resolved_at: datetime | None
