"""Parts of an endpoint's configuration: targets, balancing, receiver auth, limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AnyUrl,
    BaseModel,
    BeforeValidator,
    Field,
    UrlConstraints,
    model_validator,
)

from api.schemas.common import StrictModel, no_control_characters

__all__ = [
    "HASH_KEY_PATTERN",
    "AuthBasic",
    "AuthBearer",
    "AuthMtls",
    "AuthNone",
    "AuthPublic",
    "Balancing",
    "BalancingPublic",
    "Batching",
    "BatchingPublic",
    "HealthCheck",
    "HealthCheckPublic",
    "PayloadFormat",
    "Protocol",
    "RateLimit",
    "RateLimitPublic",
    "ReceiverAuth",
    "Target",
    "TargetPublic",
]

Protocol = Literal["http", "https", "redis_stream"]
PayloadFormat = Literal["json", "xml"]
Strategy = Literal["round_robin", "weighted_round_robin", "least_connections", "consistent_hash"]
HASH_KEY_PATTERN = (
    r"^(message_id|event_type|tenant_id|(data|metadata)(\.[A-Za-z0-9_-]{1,64}){1,5})$"
)

AnyTargetUrl = Annotated[
    AnyUrl,
    UrlConstraints(max_length=2048, allowed_schemes=["http", "https", "redis", "rediss"]),
    BeforeValidator(no_control_characters),
]
Pem = Annotated[str, Field(min_length=1, max_length=65536, description="PEM text")]


class Target(StrictModel):
    """One destination: an HTTP(S) URL, or a Redis URL with a stream name."""

    url: AnyTargetUrl
    weight: int = Field(default=1, ge=1, le=1000)
    enabled: bool = True
    stream: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        pattern=r"^[^\x00-\x20\x7f]+$",
        description="redis_stream only: the stream to XADD to.",
    )


class Balancing(StrictModel):
    """How callbacks spread over the enabled targets (applied by the delivery engine)."""

    strategy: Strategy = "round_robin"
    hash_key: str = Field(
        default="message_id",
        pattern=HASH_KEY_PATTERN,
        description="consistent_hash only: message_id, event_type, tenant_id, data.x or metadata.x",
    )

    @model_validator(mode="after")
    def _hash_key_needs_consistent_hash(self) -> Balancing:
        if self.hash_key != "message_id" and self.strategy != "consistent_hash":
            raise ValueError("hash_key applies to the consistent_hash strategy only")
        return self


class RateLimit(StrictModel):
    per_second: float = Field(gt=0, le=100000)
    burst: int | None = Field(default=None, ge=1, le=1000000, description="default: per_second")


class Batching(StrictModel):
    """Batched delivery: one POST carries a JSON array of up to ``max_events`` envelopes, sent
    when it is full or ``max_wait_ms`` after its first event (docs/receiving.md)."""

    max_events: int = Field(default=10, ge=2, le=100, description="envelopes per POST at most")
    max_wait_ms: int = Field(
        default=1000, ge=10, le=5000, description="how long a batch waits to fill up"
    )


class HealthCheck(StrictModel):
    """Active health checks: a GET of ``path`` on each enabled target every interval; a 2xx
    marks the target healthy, anything else (or no answer) takes it out of rotation."""

    path: str = Field(
        min_length=1,
        max_length=1024,
        pattern=r"^/[\x21-\x7e]*$",
        description="Path (and query) on each target's scheme, host and port, e.g. /healthz",
    )
    interval_seconds: float = Field(default=30.0, ge=1, le=86400)
    timeout_seconds: float = Field(default=5.0, ge=1, le=60)


class _Auth(StrictModel):
    ca_bundle: Pem | None = Field(
        default=None, description="CA certificates that verify the receiver's certificate"
    )


class AuthNone(_Auth):
    type: Literal["none"] = "none"


class AuthBasic(_Auth):
    type: Literal["basic"]
    username: str = Field(min_length=1, max_length=200, pattern=r"^[^:\x00-\x1f\x7f]+$")
    password: str = Field(min_length=1, max_length=1000, pattern=r"^[^\x00-\x1f\x7f]+$")


class AuthBearer(_Auth):
    type: Literal["bearer"]
    token: str = Field(min_length=1, max_length=4096, pattern=r"^[\x21-\x7e]+$")


class AuthMtls(_Auth):
    type: Literal["mtls"]
    client_cert: Pem
    client_key: Pem


ReceiverAuth = Annotated[AuthNone | AuthBasic | AuthBearer | AuthMtls, Field(discriminator="type")]


class AuthPublic(BaseModel):
    """Receiver auth as reads show it: never the password, token or private key."""

    type: Literal["none", "basic", "bearer", "mtls"] = "none"
    username: str | None = None
    client_cert: str | None = None
    ca_bundle: str | None = None


class TargetPublic(BaseModel):
    url: str
    weight: int
    enabled: bool
    stream: str | None = None


class BalancingPublic(BaseModel):
    strategy: str = "round_robin"
    hash_key: str = "message_id"


class BatchingPublic(BaseModel):
    max_events: int
    max_wait_ms: int


class RateLimitPublic(BaseModel):
    per_second: float
    burst: int


class HealthCheckPublic(BaseModel):
    path: str
    interval_seconds: float
    timeout_seconds: float
