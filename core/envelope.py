"""The JSON envelope a receiver gets (Standard Webhooks style), built from a stored event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

__all__ = ["ENVELOPE_VERSION", "build_envelope", "render_json"]

ENVELOPE_VERSION = "1"


def build_envelope(
    *,
    callback_id: str,
    event_id: str,
    tenant_id: str,
    event_type: str,
    message_id: str,
    occurred_at: datetime,
    data: dict[str, Any],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": callback_id,
        "type": event_type,
        "version": ENVELOPE_VERSION,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "event_id": event_id,
        "tenant_id": tenant_id,
        "message_id": message_id,
        "data": data,
        "metadata": metadata,
    }


def render_json(envelope: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; the same envelope always renders to the same bytes."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
