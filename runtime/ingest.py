"""Accepting events: store them once, work out each callback's follow-ons, start the workflows.

Used by the API's ingestion and by follow-ons that emit operational events.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from runtime.callbacks import CallbackControl
from store.endpoint_models import Endpoint
from store.events import IngestedEvent, NewEvent, record_events, record_test_event
from store.linkage import callback_follow_ons

__all__ = ["accept_events", "accept_test_event"]


async def accept_events(
    session: AsyncSession,
    control: CallbackControl,
    items: list[NewEvent],
    endpoints: dict[str, list[Endpoint]] | None = None,
) -> list[IngestedEvent]:
    """Stores the events (all or none) and durably starts one workflow per callback.

    ``endpoints``: each tenant's enabled endpoints, read in this session's transaction (see
    ``store.events.record_events``)."""
    results = await record_events(session, items=items, endpoints=endpoints)
    pairs = [
        (callback, result.endpoints[callback.endpoint_id])
        for result in results
        for callback in result.callbacks
        if callback.endpoint_id in result.endpoints
    ]
    follow_ons = await callback_follow_ons(
        session,
        callbacks=[callback for callback, _ in pairs],
        events={result.event.id: result.event for result in results},
    )
    await control.start(pairs, follow_ons)
    return results


async def accept_test_event(
    session: AsyncSession, control: CallbackControl, item: NewEvent, endpoint: Endpoint
) -> IngestedEvent:
    """One event delivered to one endpoint only, without follow-ons (a test from the console)."""
    result = await record_test_event(session, item=item, endpoint=endpoint)
    await control.start([(result.callbacks[0], endpoint)])
    return result
