"""Tenants, endpoints and endpoint secrets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    field_validator,
)

from api.schemas.common import HEADER_NAME, RESERVED_HEADERS, ReadModel, StrictModel, TargetUrl
from api.schemas.endpoint_parts import (
    AuthNone,
    AuthPublic,
    Balancing,
    BalancingPublic,
    Batching,
    BatchingPublic,
    HealthCheck,
    HealthCheckPublic,
    PayloadFormat,
    Protocol,
    RateLimit,
    RateLimitPublic,
    ReceiverAuth,
    Target,
    TargetPublic,
)
from core.callback_contracts import RetrySpec
from core.routing import EVENT_TYPE_PATTERN
from core.signing import is_valid_secret

# --- tenants ---------------------------------------------------------------------------------


class TenantCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class TenantUpdate(StrictModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class TenantPublic(ReadModel):
    id: str
    name: str
    description: str
    created_at: datetime
    updated_at: datetime


# --- endpoints -------------------------------------------------------------------------------


class RetryPolicy(StrictModel):
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
HeaderName = Annotated[str, Field(pattern=HEADER_NAME.pattern)]
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


class EndpointFieldChecks(StrictModel):
    """Checks shared by endpoint and template bodies: event-type patterns, headers, secret."""

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
            if not HEADER_NAME.fullmatch(name):
                raise ValueError(f"invalid header name {name!r}")
            lowered = name.lower()
            if lowered in RESERVED_HEADERS or lowered.startswith("webhook-"):
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


MaxInFlight = Annotated[int, Field(ge=1, le=10000, description="callbacks in flight at once")]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Targets = Annotated[list[Target], Field(min_length=1, max_length=20)]


class EndpointCreate(EndpointFieldChecks):
    tenant_id: str | None = Field(default=None, description="Implied by a tenant-scoped key.")
    template_id: str | None = Field(
        default=None,
        max_length=64,
        description="Start from this template; fields given here override it.",
    )
    name: str = Field(default="", max_length=200)
    url: TargetUrl | None = Field(default=None, description="One target of weight 1; or targets.")
    targets: Targets | None = None
    protocol: Protocol = "http"
    payload_format: PayloadFormat = "json"
    balancing: Balancing = Field(default_factory=Balancing)
    event_types: list[EventTypePattern] = Field(
        default_factory=list, max_length=100, description="Exact types or patterns; empty = all."
    )
    channels: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=50, description="Channel types; empty = all."
    )
    secret: Secret | None = None
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict, max_length=50)
    auth: ReceiverAuth = Field(default_factory=AuthNone)
    timeout_seconds: float = Field(default=15.0, ge=1, le=60)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    rate_limit: RateLimit | None = None
    max_in_flight: MaxInFlight | None = None
    batch: Batching | None = Field(default=None, description="null: one POST per event")
    health_check: HealthCheck | None = None
    enabled: bool = True
    disabled_reason: Reason | None = None


class EndpointUpdate(EndpointFieldChecks):
    name: str | None = Field(default=None, max_length=200)
    url: TargetUrl | None = None
    targets: Targets | None = None
    protocol: Protocol | None = None
    payload_format: PayloadFormat | None = None
    balancing: Balancing | None = None
    event_types: list[EventTypePattern] | None = Field(default=None, max_length=100)
    channels: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=50
    )
    headers: dict[HeaderName, HeaderValue] | None = Field(default=None, max_length=50)
    auth: ReceiverAuth | None = Field(default=None, description="Replaces the whole auth.")
    timeout_seconds: float | None = Field(default=None, ge=1, le=60)
    retry: RetryPolicy | None = None
    rate_limit: RateLimit | None = Field(default=None, description="null removes the limit")
    max_in_flight: MaxInFlight | None = Field(default=None, description="null removes the limit")
    batch: Batching | None = Field(default=None, description="null turns batching off")
    health_check: HealthCheck | None = Field(default=None, description="null removes it")
    enabled: bool | None = None
    disabled_reason: Reason | None = None


class EndpointPublic(ReadModel):
    id: str
    tenant_id: str
    name: str
    url: str = Field(description="The first enabled target's URL.")
    targets: list[TargetPublic]
    protocol: str
    payload_format: str
    balancing: BalancingPublic
    event_types: list[str]
    channels: list[str]
    headers: dict[str, str]
    auth: AuthPublic
    timeout_seconds: float
    retry: RetryPolicy
    rate_limit: RateLimitPublic | None
    max_in_flight: int | None
    batch: BatchingPublic | None = Field(default=None, description="null: one POST per event")
    health_check: HealthCheckPublic | None = None
    enabled: bool
    disabled_reason: str | None
    disabled_by: str | None
    disabled_at: datetime | None
    revision: int = Field(description="The newest revision (GET .../revisions)")
    template_id: str | None = Field(description="The template it was created from")
    template_revision: int | None = Field(description="That template's revision at the time")
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointPublic):
    secret: str = Field(description="Shown once; store it with the receiver.")


class SecretRotate(StrictModel):
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
