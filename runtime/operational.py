"""Operational events (``callback.*``, ``endpoint.*``): the service telling a tenant's
operations endpoints about its callbacks and endpoints, as signed callbacks of their own."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import GoutongError
from core.routing import is_operational
from runtime.callbacks import CallbackControl
from runtime.ingest import accept_events
from store.endpoint_models import Endpoint
from store.events import IngestedEvent, NewEvent

__all__ = ["emit_operational_event", "endpoint_switched"]

log = logging.getLogger(__name__)


async def emit_operational_event(
    session: AsyncSession,
    control: CallbackControl,
    *,
    tenant_id: str,
    event_type: str,
    key: str,
    message_id: str,
    data: dict[str, Any],
    event_id: str | None = None,
) -> IngestedEvent:
    """Stores and routes one operational event; ``key`` makes it once-only (the same key and
    data again is a duplicate, so a retried caller emits nothing twice). ``event_id``: a
    deterministic id for the event (else a new one), so its callbacks' webhook-ids are too."""
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
        event_id=event_id,
    )
    [result] = await accept_events(session, control, [item])
    return result


async def endpoint_switched(
    session: AsyncSession, control: CallbackControl, endpoint: Endpoint, *, actor: str
) -> None:
    """``endpoint.disabled`` or ``endpoint.recovered`` (enabled again) for an endpoint whose
    switch just flipped; best effort: the change itself stands if Temporal is unreachable."""
    event_type = "endpoint.recovered" if endpoint.enabled else "endpoint.disabled"
    data = {
        "endpoint_id": endpoint.id,
        "name": endpoint.name,
        "enabled": endpoint.enabled,
        "reason": endpoint.disabled_reason,
        "by": actor,
        "at": endpoint.updated_at.isoformat(),
    }
    try:
        await emit_operational_event(
            session,
            control,
            tenant_id=endpoint.tenant_id,
            event_type=event_type,
            key=f"{event_type}/{endpoint.id}/{endpoint.updated_at.isoformat()}",
            message_id=endpoint.id,
            data=data,
        )
    except GoutongError as exc:
        log.warning("could not emit %s for %s: %s", event_type, endpoint.id, exc)
