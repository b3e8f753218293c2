"""Callbacks and their attempt log, as the API lists them and the activities record them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.ids import new_id
from store.models import Attempt, Callback, Endpoint, Event
from store.pagination import Page, paginate, to_page
from store.types import utcnow

__all__ = [
    "DeliveryContext",
    "get_callback",
    "list_attempts",
    "list_callbacks",
    "load_delivery_context",
    "record_attempt",
    "set_callback_status",
]


@dataclass
class DeliveryContext:
    callback: Callback
    event: Event
    endpoint: Endpoint | None


async def get_callback(session: AsyncSession, *, callback_id: str) -> Callback:
    callback = await session.get(Callback, callback_id)
    if callback is None:
        raise NotFound(f"callback {callback_id} not found", code="callback_not_found")
    return callback


async def list_callbacks(
    session: AsyncSession,
    *,
    tenant_id: str | None = None,
    endpoint_id: str | None = None,
    status: str | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Callback]:
    statement = select(Callback)
    if tenant_id is not None:
        statement = statement.where(Callback.tenant_id == tenant_id)
    if endpoint_id is not None:
        statement = statement.where(Callback.endpoint_id == endpoint_id)
    if status is not None:
        statement = statement.where(Callback.status == status)
    if event_type is not None:
        statement = statement.where(Callback.event_type == event_type)
    rows = (await session.exec(paginate(statement, Callback.id, cursor=cursor, limit=limit))).all()
    return to_page(list(rows), limit=limit, id_of=lambda c: c.id)


async def list_attempts(session: AsyncSession, *, callback_id: str) -> list[Attempt]:
    statement = (
        select(Attempt)
        .where(Attempt.callback_id == callback_id)
        .order_by(col(Attempt.attempt), col(Attempt.created_at))
    )
    return list((await session.exec(statement)).all())


async def load_delivery_context(session: AsyncSession, *, callback_id: str) -> DeliveryContext:
    callback = await get_callback(session, callback_id=callback_id)
    event = await session.get(Event, callback.event_id)
    if event is None:
        raise NotFound(f"event {callback.event_id} not found", code="event_not_found")
    endpoint = await session.get(Endpoint, callback.endpoint_id)
    return DeliveryContext(callback=callback, event=event, endpoint=endpoint)


async def record_attempt(
    session: AsyncSession,
    *,
    attempt: Attempt,
    status: str,
    next_attempt_at: datetime | None,
) -> None:
    """Appends one attempt and moves the callback's summary in the same transaction."""
    attempt.id = new_id("att")
    session.add(attempt)
    callback = await get_callback(session, callback_id=attempt.callback_id)
    callback.attempts = max(callback.attempts, attempt.attempt)
    callback.last_status_code = attempt.status_code
    callback.last_error = attempt.error
    callback.next_attempt_at = next_attempt_at
    callback.status = status
    callback.updated_at = utcnow()
    if status == "delivered":
        callback.delivered_at = callback.updated_at
    session.add(callback)
    await session.commit()


async def set_callback_status(
    session: AsyncSession,
    *,
    callback_id: str,
    status: str,
    attempts: int | None = None,
    last_error: str | None = None,
) -> Callback:
    callback = await get_callback(session, callback_id=callback_id)
    callback.status = status
    if attempts is not None:
        callback.attempts = max(callback.attempts, attempts)
    if last_error is not None:
        callback.last_error = last_error
    callback.next_attempt_at = None
    callback.updated_at = utcnow()
    session.add(callback)
    await session.commit()
    return callback
