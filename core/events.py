"""The unified event model (status and behaviour events) as producers post it."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    Tag,
    model_validator,
)

from core.event_types import NAME_PATTERN

__all__ = [
    "BEHAVIOR_TYPES",
    "BUILTIN_TYPES",
    "NEEDS_ERROR",
    "STATUS_TYPES",
    "BehaviorEvent",
    "Channel",
    "CustomEvent",
    "EventIn",
    "StatusEvent",
]

STATUS_TYPES = (
    "message.status.submitted",
    "message.status.sending",
    "message.status.sent",
    "message.status.failed",
    "message.status.delivered",
    "message.status.undelivered",
    "message.status.rejected",
)
BEHAVIOR_TYPES = (
    "message.behavior.click",
    "message.behavior.read",
    "message.behavior.forward",
    "message.behavior.unsubscribe",
)
BUILTIN_TYPES = frozenset(STATUS_TYPES + BEHAVIOR_TYPES)
NEEDS_ERROR = {"message.status.failed", "message.status.undelivered", "message.status.rejected"}
MAX_DEPTH = 32  # nesting of free-form objects (metadata, detail, extra fields)


def _check_json_values(raw: Any) -> None:
    """Refuses what the envelope could not carry: deep nesting, NaN, infinities, and strings
    that are not valid Unicode (lone surrogates from JSON escapes like ``"\\ud800"``)."""
    pending = [(raw, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"objects and arrays may be nested {MAX_DEPTH} levels deep at most")
        if isinstance(value, dict):
            pending.extend((v, depth + 1) for v in value.values())
            pending.extend((k, depth + 1) for k in value)
        elif isinstance(value, list):
            pending.extend((v, depth + 1) for v in value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
        elif isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError("strings must be valid Unicode (no lone surrogates)") from None


ShortText = Annotated[str, Field(min_length=1, max_length=200)]


class _Open(BaseModel):
    """Sub-objects accept extra fields, so producers can add to them without breaking."""

    model_config = ConfigDict(extra="allow")


class Channel(_Open):
    type: ShortText = Field(description="sms, email, push, im, voice, ...", examples=["sms"])
    provider: str | None = Field(default=None, max_length=200)
    account: str | None = Field(default=None, max_length=200)


class ErrorInfo(_Open):
    code: ShortText
    description: str | None = Field(default=None, max_length=2000)


class Device(_Open):
    type: str | None = Field(default=None, max_length=100)
    os: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    user_agent: str | None = Field(default=None, max_length=1000)


class Location(_Open):
    country: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    ip: str | None = Field(default=None, max_length=64)


class _EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: ShortText | None = Field(
        default=None, description="Producer's event id; the idempotency key (or Idempotency-Key)."
    )
    tenant_id: ShortText | None = Field(
        default=None, description="Required with a global key; implied by a tenant key."
    )
    message_id: str = Field(
        min_length=1,
        max_length=128,
        description="The platform's message id (indexed in Temporal, so at most 128 characters).",
    )
    timestamp: datetime | None = Field(default=None, description="When it happened (default: now).")
    recipient: str | None = Field(default=None, max_length=320)
    channel: Channel | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    schema_version: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="The catalogue version of the type whose schema the data follows "
        "(default: the type's newest version that is not deprecated).",
    )

    @model_validator(mode="before")
    @classmethod
    def _json_values(cls, data: Any) -> Any:
        _check_json_values(data)
        return data

    @model_validator(mode="after")
    def _aware_timestamp(self) -> _EventBase:
        if self.timestamp is not None:
            if self.timestamp.tzinfo is None:
                raise ValueError("timestamp must carry a timezone (e.g. 2026-11-28T10:00:00Z)")
            try:
                self.timestamp.astimezone(UTC)
            except OverflowError:
                raise ValueError("timestamp is out of range in UTC") from None
        return self


class StatusEvent(_EventBase):
    """A message status change: submitted, sending, sent, failed, delivered, ..."""

    type: Literal[STATUS_TYPES]  # type: ignore[valid-type]
    channel: Channel
    detail: str | None = Field(default=None, max_length=2000)
    error: ErrorInfo | None = None
    status_times: dict[Annotated[str, Field(max_length=50)], AwareDatetime] = Field(
        default_factory=dict, max_length=20, description="Per-status times, with a timezone."
    )

    @model_validator(mode="after")
    def _error_on_failure(self) -> StatusEvent:
        if self.type in NEEDS_ERROR and self.error is None:
            raise ValueError(f"{self.type} needs an error {{code, description}}")
        return self

    def envelope_data(self) -> dict[str, Any]:
        body = self.model_dump(
            mode="json", include={"recipient", "channel", "detail", "error", "status_times"}
        )
        return {"message_id": self.message_id, "status": self.type.rsplit(".", 1)[1], **body}


class BehaviorEvent(_EventBase):
    """A user behaviour on a message: click, read, forward, unsubscribe."""

    type: Literal[BEHAVIOR_TYPES]  # type: ignore[valid-type]
    detail: dict[str, Any] = Field(default_factory=dict, examples=[{"url": "https://x.cn/a"}])
    device: Device | None = None
    location: Location | None = None

    def envelope_data(self) -> dict[str, Any]:
        body = self.model_dump(
            mode="json", include={"recipient", "channel", "detail", "device", "location"}
        )
        return {"message_id": self.message_id, "behavior": self.type.rsplit(".", 1)[1], **body}


class CustomEvent(_EventBase):
    """An event of a type registered in the catalogue (``POST /v1/event-types``); its ``data``
    is checked against the type's JSON Schema and sent to receivers as it is."""

    type: str = Field(
        min_length=1,
        max_length=100,
        pattern=NAME_PATTERN,
        description="A registered custom type, e.g. order.paid.",
        json_schema_extra={"not": {"enum": list[JsonValue](sorted(BUILTIN_TYPES))}},
    )
    channel: Channel | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    def envelope_data(self) -> dict[str, Any]:
        return self.data


def _kind(value: Any) -> str:
    """Which member reads a posted event: a built-in type is its own tag (so errors name it, as
    in ``body.message.status.failed.error``), anything else is a custom type."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if isinstance(kind, str) and kind in BUILTIN_TYPES else "custom"


if TYPE_CHECKING:
    EventIn = StatusEvent | BehaviorEvent | CustomEvent
else:
    _MEMBERS = (
        *(Annotated[StatusEvent, Tag(name)] for name in STATUS_TYPES),
        *(Annotated[BehaviorEvent, Tag(name)] for name in BEHAVIOR_TYPES),
        Annotated[CustomEvent, Tag("custom")],
    )
    EventIn = Annotated[Union[_MEMBERS], Discriminator(_kind)]  # noqa: UP007
