"""The built-in event types, each with the JSON Schema of the ``data`` a receiver gets: message
status changes and user behaviours (what ``core.events`` builds from a posted event), and the
operational events the service emits itself (``callback.*``, ``endpoint.*``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.event_types import DRAFT_2020_12
from core.events import BEHAVIOR_TYPES, NEEDS_ERROR, STATUS_TYPES

__all__ = ["BUILTIN_EVENT_TYPES", "BuiltinEventType"]


@dataclass(frozen=True)
class BuiltinEventType:
    name: str
    version: int
    description: str
    schema: dict[str, Any]


def _text(max_length: int, *, nullable: bool = True, min_length: int = 0) -> dict[str, Any]:
    text: dict[str, Any] = {"type": ["string", "null"] if nullable else "string"}
    text["maxLength"] = max_length
    if min_length:
        text["minLength"] = min_length
    return text


def _object(properties: dict[str, Any], *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object that may carry more fields than these (new fields never break receivers)."""
    return {"type": "object", "properties": properties, "required": list(required)}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, schema]}


_CHANNEL = _object(
    {
        "type": {**_text(200, nullable=False, min_length=1), "description": "sms, email, ..."},
        "provider": _text(200),
        "account": _text(200),
    },
    required=("type",),
)
_ERROR = _object(
    {"code": _text(200, nullable=False, min_length=1), "description": _text(2000)},
    required=("code",),
)
_DEVICE = _object(
    {"type": _text(100), "os": _text(100), "model": _text(100), "user_agent": _text(1000)}
)
_LOCATION = _object(
    {
        "country": _text(100),
        "region": _text(100),
        "city": _text(100),
        "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "ip": _text(64),
    }
)
_MESSAGE_ID = {"type": "string", "minLength": 1, "maxLength": 128}

_STATUS_TEXT = {
    "submitted": "The platform accepted the message for sending.",
    "sending": "The message is being handed to the provider.",
    "sent": "The provider accepted the message.",
    "failed": "Sending failed; `error` says why.",
    "delivered": "The message reached the recipient's device or mailbox.",
    "undelivered": "The provider could not deliver the message; `error` says why.",
    "rejected": "The platform or provider refused the message; `error` says why.",
}
_BEHAVIOR_TEXT = {
    "click": "The recipient opened a link in the message; `detail.url` is the link.",
    "read": "The recipient read (opened) the message.",
    "forward": "The recipient forwarded the message.",
    "unsubscribe": "The recipient asked to receive no more messages.",
}


def _status_schema(name: str) -> dict[str, Any]:
    status = name.rsplit(".", 1)[1]
    schema = _object(
        {
            "message_id": _MESSAGE_ID,
            "status": {"const": status},
            "recipient": _text(320),
            "channel": _CHANNEL,
            "detail": _text(2000),
            "error": _ERROR if name in NEEDS_ERROR else _nullable(_ERROR),
            "status_times": {
                "type": "object",
                "description": "When the message reached each status (RFC 3339).",
                "maxProperties": 20,
                "propertyNames": {"maxLength": 50},
                "additionalProperties": {"type": "string", "format": "date-time"},
            },
        },
        required=("message_id", "status", "channel"),
    )
    if name in NEEDS_ERROR:
        schema["required"].append("error")
    return {"$schema": DRAFT_2020_12, "title": name, **schema}


def _behavior_schema(name: str) -> dict[str, Any]:
    behavior = name.rsplit(".", 1)[1]
    schema = _object(
        {
            "message_id": _MESSAGE_ID,
            "behavior": {"const": behavior},
            "recipient": _text(320),
            "channel": _nullable(_CHANNEL),
            "detail": {"type": "object", "description": "What happened, e.g. {url} of a click."},
            "device": _nullable(_DEVICE),
            "location": _nullable(_LOCATION),
        },
        required=("message_id", "behavior"),
    )
    return {"$schema": DRAFT_2020_12, "title": name, **schema}


_OPERATIONAL_TEXT = {
    "callback.dead_lettered": "A callback gave up after its retries (a linkage rule's notify).",
    "callback.recovered": "A dead-lettered callback was delivered after all.",
    "endpoint.disabled": "An endpoint was switched off (by a person or by a 410 Gone).",
    "endpoint.recovered": "A disabled endpoint was switched on again.",
    "endpoint.circuit_opened": "An endpoint's circuit breaker opened: nothing is sent to it.",
    "endpoint.circuit_half_opened": "An open circuit breaker lets one probe through.",
    "endpoint.circuit_closed": "An endpoint's circuit breaker closed: its probe succeeded.",
}
_CALLBACK_FACTS = _object(
    {
        "callback_id": {"type": "string"},
        "tenant_id": {"type": "string"},
        "endpoint_id": {"type": "string"},
        "event_id": {"type": "string"},
        "event_type": {"type": "string"},
        "message_id": {"type": "string"},
        "state": {"type": "string"},
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": {"type": ["string", "null"]},
        "rule_id": {"type": ["string", "null"]},
        "trigger": {"type": "string"},
    },
    required=("callback_id",),
)
_ENDPOINT_FACTS = _object(
    {
        "endpoint_id": {"type": "string"},
        "name": {"type": "string"},
        "enabled": {"type": "boolean"},
        "reason": {"type": ["string", "null"]},
        "by": {"type": "string", "description": "who switched it: a key id, a subject, ..."},
        "at": {"type": "string", "format": "date-time"},
    },
    required=("endpoint_id",),
)


_STATE = {"type": "string", "enum": ["closed", "open", "half_open"]}
_COUNT = {"type": "integer", "minimum": 0}
_BREAKER_FACTS = _object(
    {
        "endpoint_id": {"type": "string"},
        "name": {"type": "string"},
        "enabled": {"type": "boolean"},
        "transition_id": {"type": "string", "description": "Once per transition."},
        "from_state": _STATE,
        "to_state": _STATE,
        "reason": {"type": "string"},
        "window_requests": {**_COUNT, "description": "Tries in the window when it moved."},
        "window_failures": _COUNT,
        "consecutive_failures": _COUNT,
        "by": {"type": "string"},
        "at": {"type": "string", "format": "date-time"},
    },
    required=("endpoint_id", "transition_id", "from_state", "to_state", "reason", "at"),
)


def _operational_schema(name: str) -> dict[str, Any]:
    facts = _CALLBACK_FACTS if name.startswith("callback.") else _ENDPOINT_FACTS
    if name.startswith("endpoint.circuit_"):
        facts = _BREAKER_FACTS
    return {"$schema": DRAFT_2020_12, "title": name, **facts}


BUILTIN_EVENT_TYPES: tuple[BuiltinEventType, ...] = (
    *(
        BuiltinEventType(t, 1, _STATUS_TEXT[t.rsplit(".", 1)[1]], _status_schema(t))
        for t in STATUS_TYPES
    ),
    *(
        BuiltinEventType(t, 1, _BEHAVIOR_TEXT[t.rsplit(".", 1)[1]], _behavior_schema(t))
        for t in BEHAVIOR_TYPES
    ),
    *(
        BuiltinEventType(t, 1, text, _operational_schema(t))
        for t, text in _OPERATIONAL_TEXT.items()
    ),
)
