"""A test event to one endpoint: a real ``message.status.delivered`` marked as a test."""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Principal
from core.events import StatusEvent
from runtime.callbacks import CallbackControl
from runtime.ingest import accept_test_event
from store.audit import record_audit
from store.endpoints import get_endpoint
from store.events import NewEvent
from store.types import utcnow

__all__ = ["send_test_event"]


def _test_event(tenant_id: str) -> NewEvent:
    token = uuid.uuid4().hex[:12]
    event = StatusEvent(
        type="message.status.delivered",
        message_id=f"console-test-{token}",
        channel={"type": "sms", "provider": "console-test"},  # type: ignore[arg-type]
        detail="test event sent from the GouTong console",
        metadata={"test": True},
    )
    canonical = event.model_dump(mode="json", exclude={"id", "tenant_id"})
    return NewEvent(
        tenant_id=tenant_id,
        external_id=f"console-test-{token}",
        body_hash=hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest(),
        type=event.type,
        message_id=event.message_id,
        occurred_at=utcnow(),
        channel=event.channel.type,
        data=event.envelope_data(),
        meta=event.metadata,
    )


async def send_test_event(
    session: AsyncSession, control: CallbackControl, caller: Principal, endpoint_id: str
) -> str:
    """Starts the test callback (even to a disabled endpoint) and returns its id."""
    endpoint = await get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    result = await accept_test_event(session, control, _test_event(endpoint.tenant_id), endpoint)
    callback_id = result.callbacks[0].id
    await record_audit(
        session,
        actor=caller,
        action="endpoint.test",
        resource=endpoint.id,
        tenant_id=endpoint.tenant_id,
        summary={"callback_id": callback_id},
    )
    return callback_id
