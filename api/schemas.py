"""Request and response models of the API (Base / Create / Update / Public families)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    UrlConstraints,
    field_validator,
)

from core.contracts import RetrySpec
from core.events import EventIn
from core.routing import EVENT_TYPE_PATTERN
from core.signing import is_valid_secret

T = TypeVar("T")

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
_RESERVED_HEADERS = {"host", "content-length", "content-type", "transfer-encoding", "connection"}


def _no_control_characters(value: object) -> object:
    """URL parsers silently drop CR, LF and tabs; we refuse them instead."""
    if isinstance(value, str) and any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("URL contains control characters")
    return value


TargetUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=2048),  # the store's column size
    BeforeValidator(_no_control_characters),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at end.")


# --- tenants ---------------------------------------------------------------------------------


class TenantCreate(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class TenantUpdate(_Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class TenantPublic(_Public):
    id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


# --- endpoints -------------------------------------------------------------------------------


class RetryPolicy(_Strict):
    """Declared retry policy; see docs/retries.md for the defaults and the reasoning."""

    strategy: Literal["exponential", "fixed"] = "exponential"
    initial_interval_seconds: float = Field(default=10.0, ge=1, le=86400)
    backoff_coefficient: float = Field(default=2.0, ge=1, le=10)
    max_interval_seconds: float = Field(default=7200.0, ge=1, le=7 * 86400)
    interval_seconds: float = Field(default=60.0, ge=1, le=86400, description="fixed only")
    max_attempts: int = Field(default=18, ge=1, le=100)
    max_duration_seconds: float = Field(default=86400.0, ge=1, le=30 * 86400)

    def to_spec(self) -> RetrySpec:
        return RetrySpec(**self.model_dump())


EventTypePattern = Annotated[
    str, Field(min_length=1, max_length=200, pattern=EVENT_TYPE_PATTERN.pattern)
]
HeaderName = Annotated[str, Field(pattern=_HEADER_NAME.pattern)]
HeaderValue = Annotated[str, Field(max_length=4096, pattern=r"^[^\r\n\x00]*$")]
_B64 = "[A-Za-z0-9+/]"
Secret = Annotated[
    str,
    Field(
        description="whsec_ + base64 of 24 to 64 random bytes; generated when not given.",
        pattern=rf"^whsec_(?:(?:{_B64}{{4}}){{8,20}}(?:{_B64}{{2}}==|{_B64}{{3}}=)?"
        rf"|(?:{_B64}{{4}}){{21}}(?:{_B64}{{2}}==)?)$",
    ),
]


class _EndpointFields(_Strict):
    @field_validator("event_types", check_fields=False)
    @classmethod
    def _patterns(cls, value: list[str] | None) -> list[str] | None:
        for pattern in value or []:
            if not EVENT_TYPE_PATTERN.fullmatch(pattern):
                raise ValueError(f"invalid event type pattern {pattern!r}")
        return value

    @field_validator("headers", check_fields=False)
    @classmethod
    def _headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name, content in (value or {}).items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"invalid header name {name!r}")
            lowered = name.lower()
            if lowered in _RESERVED_HEADERS or lowered.startswith("webhook-"):
                raise ValueError(f"header {name!r} is set by the service")
            if any(c in content for c in "\r\n\0") or len(content) > 4096:
                raise ValueError(f"invalid value for header {name!r}")
        return value

    @field_validator("secret", check_fields=False)
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_secret(value):
            raise ValueError("secret must be whsec_ followed by base64 of 24 to 64 bytes")
        return value


class EndpointCreate(_EndpointFields):
    tenant_id: str | None = Field(default=None, description="Implied by a tenant-scoped key.")
    name: str = Field(default="", max_length=200)
    url: TargetUrl
    event_types: list[EventTypePattern] = Field(
        default_factory=list, max_length=100, description="Exact types or patterns; empty = all."
    )
    channels: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=50, description="Channel types; empty = all."
    )
    secret: Secret | None = None
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict, max_length=50)
    timeout_seconds: float = Field(default=15.0, ge=1, le=60)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    enabled: bool = True


class EndpointUpdate(_EndpointFields):
    name: str | None = Field(default=None, max_length=200)
    url: TargetUrl | None = None
    event_types: list[EventTypePattern] | None = Field(default=None, max_length=100)
    channels: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=50
    )
    headers: dict[HeaderName, HeaderValue] | None = Field(default=None, max_length=50)
    timeout_seconds: float | None = Field(default=None, ge=1, le=60)
    retry: RetryPolicy | None = None
    enabled: bool | None = None


class EndpointPublic(_Public):
    id: str
    tenant_id: str
    name: str
    url: str
    event_types: list[str]
    channels: list[str]
    headers: dict[str, str]
    timeout_seconds: float
    retry: RetryPolicy
    enabled: bool
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointPublic):
    secret: str = Field(description="Shown once; store it with the receiver.")


# --- events ----------------------------------------------------------------------------------


class EventBatch(_Strict):
    events: list[EventIn] = Field(min_length=1, max_length=1000)


class EventAccepted(_Public):
    event_id: str
    external_id: str
    callback_ids: list[str]
    duplicate: bool = Field(description="True when this id was accepted before.")


class BatchAccepted(BaseModel):
    events: list[EventAccepted]


# --- callbacks -------------------------------------------------------------------------------


class AttemptPublic(_Public):
    attempt: int
    trigger: str
    target_url: str
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None
    created_at: datetime


class LiveStatus(_Public):
    """What the running workflow says (the ``status`` query)."""

    state: str
    attempts: int
    last_error: str | None
    last_status_code: int | None
    next_attempt_at: datetime | None


class CallbackPublic(_Public):
    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    message_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CallbackDetail(CallbackPublic):
    attempt_log: list[AttemptPublic]
    live: LiveStatus | None = Field(description="null when the workflow is closed or unreachable")
    temporal_ui_url: str


class InterventionIn(_Strict):
    reason: str = Field(default="", max_length=500)


class RedirectIn(_Strict):
    url: TargetUrl
    reason: str = Field(default="", max_length=500)


class InterventionAccepted(BaseModel):
    callback_id: str
    action: str
    accepted: bool = True


# --- api keys --------------------------------------------------------------------------------


class ApiKeyCreate(_Strict):
    name: str = Field(default="", max_length=200)
    role: Literal["admin", "tenant_admin"] = "tenant_admin"
    tenant_id: str | None = None


class ApiKeyPublic(_Public):
    id: str
    name: str
    hint: str
    role: str
    tenant_id: str | None
    created_at: datetime


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="Shown once.")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class SecretRotate(_Strict):
    secret: Secret | None = None
    grace_seconds: int = Field(
        default=86400,
        ge=0,
        le=7 * 86400,
        description="How long callbacks also carry the old secret's signature (default 24 h).",
    )


class SecretRevealed(BaseModel):
    endpoint_id: str
    secret: str
    previous_secret_expires_at: datetime | None = Field(
        description="Until then callbacks carry a signature with the previous secret as well."
    )


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


class RecoveryCreate(_Strict):
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


class RecoveryProgressPublic(_Public):
    recovery_id: str
    tenant_id: str | None
    state: str = Field(description="running, completed or cancelled")
    processed: int
    retried: int
    skipped: int
