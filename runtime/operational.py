"""Operational events (``callback.*``, ``endpoint.*``): the service telling a tenant's
operations endpoints about its callbacks and endpoints, as signed callbacks of their own."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.routing import is_operational
from runtime.callbacks import CallbackControl
from runtime.ingest import accept_events
from store.events import IngestedEvent, NewEvent

__all__ = ["emit_operational_event"]


async def emit_operational_event(
    session: AsyncSession,
    control: CallbackControl,
    *,
    tenant_id: str,
    event_type: str,
    key: str,
    message_id: str,
    data: dict[str, Any],
) -> IngestedEvent:
    """Stores and routes one operational event; ``key`` makes it once-only (the same key and
    data again is a duplicate, so a retried caller emits nothing twice)."""
    if not is_operational(event_type):
        raise ValueError(f"{event_type} is not an operational event type")
    body_hash = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    item = NewEvent(
        tenant_id=tenant_id,
        external_id=key,
        body_hash=body_hash,
        type=event_type,
        message_id=message_id,
        occurred_at=datetime.now(UTC),
        channel=None,
        data=data,
        meta={"source": "goutong"},
    )
    [result] = await accept_events(session, control, [item])
    return result
