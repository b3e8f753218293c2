"""Callbacks and their attempt log, as the API lists them and the activities record them."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, case, update
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
    "AttemptRecord",
    "DeliveryContext",
    "callback_not_found",
    "get_callback",
    "list_attempts",
    "list_callbacks",
    "load_delivery_contexts",
    "record_attempts",
    "set_callback_status",
]


@dataclass
class DeliveryContext:
    callback: Callback
    event: Event
    endpoint: Endpoint | None
    breaker: BreakerView = field(default_factory=BreakerView)  # as read, without a lock


def callback_not_found(callback_id: str) -> NotFound:
    return NotFound(f"callback {callback_id} not found", code="callback_not_found")


async def get_callback(session: AsyncSession, *, callback_id: str) -> Callback:
    callback = await session.get(Callback, callback_id)
    if callback is None:
        raise callback_not_found(callback_id)
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


async def load_delivery_contexts(
    session: AsyncSession, *, callback_ids: Sequence[str]
) -> dict[str, DeliveryContext | NotFound]:
    """The delivery context of each callback, or why there is none, in one query (instances
    that several callbacks share, such as their event, are one object: read, never change)."""
    statement = (
        select(Callback, Event, Endpoint, EndpointRuntime)
        .outerjoin(Event, col(Event.id) == col(Callback.event_id))
        .outerjoin(Endpoint, col(Endpoint.id) == col(Callback.endpoint_id))
        .outerjoin(EndpointRuntime, col(EndpointRuntime.endpoint_id) == col(Callback.endpoint_id))
        .where(col(Callback.id).in_(set(callback_ids)))
    )
    found: dict[str, DeliveryContext | NotFound] = {
        callback_id: callback_not_found(callback_id) for callback_id in callback_ids
    }
    for callback, event, endpoint, runtime in (await session.exec(statement)).all():
        if event is None:
            found[callback.id] = NotFound(
                f"event {callback.event_id} not found", code="event_not_found"
            )
        else:
            found[callback.id] = DeliveryContext(callback, event, endpoint, view_of(runtime))
    return found


@dataclass(frozen=True)
class AttemptRecord:
    """One try's attempt row and where it leaves its callback."""

    attempt: Attempt
    status: str
    next_attempt_at: datetime | None


async def record_attempts(session: AsyncSession, records: Sequence[AttemptRecord]) -> set[str]:
    """Appends the attempts and moves their callbacks' summaries, all in one transaction (one
    UPDATE per kind of summary, no read: the attempt count only grows). Returns the callback
    ids that were not found; their attempts are not recorded."""
    now = utcnow()
    connection = await session.connection()
    updated, counted = 0, True
    for delivered in (True, False):
        params = [
            _summary_params(record, now)
            for record in records
            if (record.status == "delivered") == delivered
        ]
        if params:
            result = await connection.execute(_summary_update(delivered=delivered), params)
            updated += result.rowcount
            counted &= len(params) == 1 or connection.dialect.supports_sane_multi_rowcount
    ids = {record.attempt.callback_id for record in records}
    missing: set[str] = set()
    if updated != len(records) or not counted:  # asyncpg counts no executemany
        statement = select(col(Callback.id)).where(col(Callback.id).in_(ids))
        missing = ids - set((await session.exec(statement)).all())
    for record in records:
        if record.attempt.callback_id not in missing:
            record.attempt.id = new_id("att")
            session.add(record.attempt)
    await session.commit()
    return missing


def _summary_params(record: AttemptRecord, now: datetime) -> dict[str, Any]:
    attempt = record.attempt
    return {
        "b_callback_id": attempt.callback_id,
        "b_attempt": attempt.attempt,
        "b_status_code": attempt.status_code,
        "b_error": attempt.error,
        "b_next_attempt_at": record.next_attempt_at,
        "b_status": record.status,
        "b_now": now,
    }


@functools.cache
def _summary_update(*, delivered: bool) -> Update:
    """The callback's summary after a try (executed with one parameter set per try)."""
    table = Callback.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        "attempts": case(
            (table.c.attempts < bindparam("b_attempt"), bindparam("b_attempt")),
            else_=table.c.attempts,
        ),
        "last_status_code": bindparam("b_status_code"),
        "last_error": bindparam("b_error"),
        "next_attempt_at": bindparam("b_next_attempt_at"),
        "status": bindparam("b_status"),
        "updated_at": bindparam("b_now"),
    }
    if delivered:
        values["delivered_at"] = bindparam("b_now")
    return update(table).where(table.c.id == bindparam("b_callback_id")).values(**values)


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
