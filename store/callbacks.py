"""Callbacks and their attempt log, as the API lists them and the activities record them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.ids import new_id
from store.breaker import BreakerView, view_of
from store.delivery_models import EndpointRuntime
from store.endpoint_models import Endpoint
from store.event_models import Attempt, Callback, Event
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
    breaker: BreakerView = field(default_factory=BreakerView)  # as read, without a lock


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
    """The callback with its event, endpoint and the endpoint's breaker, in one query."""
    statement = (
        select(Callback, Event, Endpoint, EndpointRuntime)
        .outerjoin(Event, col(Event.id) == col(Callback.event_id))
        .outerjoin(Endpoint, col(Endpoint.id) == col(Callback.endpoint_id))
        .outerjoin(EndpointRuntime, col(EndpointRuntime.endpoint_id) == col(Callback.endpoint_id))
        .where(Callback.id == callback_id)
    )
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFound(f"callback {callback_id} not found", code="callback_not_found")
    callback, event, endpoint, runtime = row
    if event is None:
        raise NotFound(f"event {callback.event_id} not found", code="event_not_found")
    return DeliveryContext(callback, event, endpoint, view_of(runtime))


async def record_attempt(
    session: AsyncSession,
    *,
    attempt: Attempt,
    status: str,
    next_attempt_at: datetime | None,
) -> None:
    """Appends one attempt and moves the callback's summary in the same transaction (one
    UPDATE, no read: the attempt count only grows)."""
    attempt.id = new_id("att")
    now = utcnow()
    values: dict[str, Any] = {
        "attempts": case(
            (col(Callback.attempts) < attempt.attempt, attempt.attempt),
            else_=col(Callback.attempts),
        ),
        "last_status_code": attempt.status_code,
        "last_error": attempt.error,
        "next_attempt_at": next_attempt_at,
        "status": status,
        "updated_at": now,
    }
    if status == "delivered":
        values["delivered_at"] = now
    statement = update(Callback).where(col(Callback.id) == attempt.callback_id).values(**values)
    result = await session.exec(statement)
    if result.rowcount == 0:
        await session.rollback()
        raise NotFound(f"callback {attempt.callback_id} not found", code="callback_not_found")
    session.add(attempt)
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
