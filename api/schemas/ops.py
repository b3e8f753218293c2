"""API keys, the quality report and bulk recovery."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
)

from api.schemas.common import ReadModel, StrictModel

# --- api keys --------------------------------------------------------------------------------


Role = Literal["admin", "tenant_admin", "operator", "viewer", "producer"]


def _valid_cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError as exc:
        raise ValueError(f"not an IP network: {value!r}") from exc


Cidr = Annotated[str, Field(max_length=64), AfterValidator(_valid_cidr)]


class ApiKeyCreate(StrictModel):
    name: str = Field(default="", max_length=200)
    role: Role = "tenant_admin"
    tenant_id: str | None = Field(
        default=None, description="The one tenant the key acts for; none = global"
    )
    allowed_cidrs: list[Cidr] = Field(
        default_factory=list,
        max_length=50,
        description="Callers must come from one of these networks (empty = from anywhere)",
    )
    expires_at: AwareDatetime | None = Field(default=None, description="After it: 401")
    rate_limit_per_second: float | None = Field(
        default=None, gt=0, le=100_000, description="Overrides the API's default for this key"
    )
    rate_limit_burst: int | None = Field(default=None, ge=1, le=1_000_000)


class ApiKeyPublic(ReadModel):
    id: str
    name: str
    hint: str
    role: str
    tenant_id: str | None
    allowed_cidrs: list[str]
    expires_at: datetime | None
    rate_limit_per_second: float | None
    rate_limit_burst: int | None
    created_at: datetime


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown once.")


class AuditEntryPublic(ReadModel):
    """One configuration change or manual intervention."""

    id: str
    at: datetime
    actor: str = Field(description="API key id, or the JWT subject")
    actor_kind: str = Field(description="api_key or jwt")
    role: str
    address: str | None = Field(description="The caller's address as the API saw it")
    tenant_id: str | None
    action: str = Field(description="e.g. endpoint.update, callback.retry")
    resource: str = Field(description="The id of what was acted on")
    summary: dict[str, Any] = Field(description="What changed; secrets masked")


class Percentiles(BaseModel):
    p50: float | None
    p95: float | None
    p99: float | None


class ErrorCount(BaseModel):
    error: str
    count: int


class QualityReportPublic(BaseModel):
    """How well callbacks went over a window (the source's quality/stat report)."""

    since: datetime
    until: datetime
    tenant_id: str | None
    endpoint_id: str | None
    callbacks: dict[str, int] = Field(description="Callbacks created in the window, by status.")
    success_rate: float | None = Field(
        description="delivered / (delivered + dead_lettered + cancelled); null when none ended"
    )
    attempts: int
    attempt_success_rate: float | None
    attempts_per_success: float | None = Field(
        description="Tries per delivered callback (1.0 = always at the first try)."
    )
    latency_ms: Percentiles = Field(description="Acceptance to delivery, delivered callbacks.")
    attempt_duration_ms: Percentiles
    top_errors: list[ErrorCount]


class RecoveryCreate(StrictModel):
    """Which callbacks to recover: dead letters (and delivered ones with include_delivered)."""

    tenant_id: str | None = Field(default=None, description="A tenant key: always its own.")
    endpoint_id: str | None = None
    event_type: str | None = Field(default=None, max_length=200)
    since: AwareDatetime | None = Field(default=None, description="Callbacks created from then")
    until: AwareDatetime | None = None
    include_delivered: bool = Field(default=False, description="Re-send delivered ones too.")
    dry_run: bool = Field(default=False, description="Only count what would be recovered.")


class RecoveryStarted(BaseModel):
    recovery_id: str | None = Field(description="null for a dry run")
    matched: int = Field(description="Callbacks in scope when the recovery started.")
    dry_run: bool


class RecoveryProgressPublic(ReadModel):
    recovery_id: str
    tenant_id: str | None
    state: str = Field(description="running, completed or cancelled")
    processed: int
    retried: int
    skipped: int
