"""Ingestion: events stored once per idempotency key, with one callback per matching endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import Conflict
from core.ids import callback_id, new_id
from core.routing import endpoint_matches
from store.endpoint_models import Endpoint
from store.endpoints import matching_endpoints
from store.event_models import Callback, Event

__all__ = ["IngestedEvent", "NewEvent", "get_event", "record_events", "record_test_event"]


@dataclass
class NewEvent:
    tenant_id: str
    external_id: str
    body_hash: str
    type: str
    message_id: str
    occurred_at: datetime
    channel: str | None
    data: dict[str, Any]
    meta: dict[str, Any]
    type_version: int | None = None
    # set: the event's id (one derived from what caused it, so that telling it again gives
    # the same id and webhook-ids); None: a new one
    event_id: str | None = None


@dataclass
class IngestedEvent:
    event: Event
    duplicate: bool
    callbacks: list[Callback] = field(default_factory=list)
    endpoints: dict[str, Endpoint] = field(default_factory=dict)


async def get_event(session: AsyncSession, *, event_id: str) -> Event | None:
    return await session.get(Event, event_id)


async def _existing(session: AsyncSession, items: list[NewEvent]) -> dict[tuple[str, str], Event]:
    """The stored events of these items' keys, by ``(tenant_id, external_id)``."""
    found: dict[tuple[str, str], Event] = {}
    for tenant_id in {i.tenant_id for i in items}:
        external_ids = [i.external_id for i in items if i.tenant_id == tenant_id]
        statement = select(Event).where(
            Event.tenant_id == tenant_id, col(Event.external_id).in_(external_ids)
        )
        found.update({(tenant_id, e.external_id): e for e in (await session.exec(statement)).all()})
    return found


async def _load_duplicate(session: AsyncSession, event: Event, item: NewEvent) -> IngestedEvent:
    if event.body_hash != item.body_hash:
        raise Conflict(
            f"event id / Idempotency-Key {item.external_id!r} was already used with another body",
            code="idempotency_key_reused",
        )
    callbacks = list(
        (await session.exec(select(Callback).where(Callback.event_id == event.id))).all()
    )
    endpoint_ids = [c.endpoint_id for c in callbacks]
    endpoints = (
        await session.exec(select(Endpoint).where(col(Endpoint.id).in_(endpoint_ids)))
    ).all()
    return IngestedEvent(event, True, callbacks, {e.id: e for e in endpoints})


async def record_events(
    session: AsyncSession,
    *,
    items: list[NewEvent],
    endpoints: dict[str, list[Endpoint]] | None = None,
) -> list[IngestedEvent]:
    """Stores new events and their callbacks in one transaction; duplicates come back as stored.

    Items may belong to several tenants; all of them are stored or none. A concurrent insert of
    the same key is detected by the unique constraint and answered from the winner's rows.

    ``endpoints`` (each tenant's enabled endpoints, read in this transaction) makes the first
    try optimistic: the rows are inserted without looking for stored keys first, and only a
    unique-constraint violation (a retried key) sends it down the careful path, which reads the
    stored events and the endpoints again.
    """
    if not items:
        return []
    if endpoints is not None:
        try:
            return await _insert(session, items, {}, endpoints)
        except IntegrityError:
            await session.rollback()
    for _ in range(2):
        try:
            return await _insert(session, items, await _existing(session, items), None)
        except IntegrityError:
            await session.rollback()
    raise Conflict("concurrent ingestion of the same events; retry", code="ingestion_conflict")


async def _insert(
    session: AsyncSession,
    items: list[NewEvent],
    existing: dict[tuple[str, str], Event],
    endpoints: dict[str, list[Endpoint]] | None,
) -> list[IngestedEvent]:
    """One try: adds the new rows and commits (``IntegrityError`` if a key was taken)."""
    results: list[IngestedEvent] = []
    routes: dict[tuple[str, str, str | None], list[Endpoint]] = {}
    seen: dict[tuple[str, str], IngestedEvent] = {}
    for item in items:
        idem = (item.tenant_id, item.external_id)
        if idem in existing:
            results.append(await _load_duplicate(session, existing[idem], item))
            continue
        if idem in seen:  # the same key twice in one batch
            first = seen[idem]
            if first.event.body_hash != item.body_hash:
                raise Conflict(
                    f"event id {item.external_id!r} appears twice with different bodies",
                    code="idempotency_key_reused",
                )
            results.append(IngestedEvent(first.event, True, first.callbacks, first.endpoints))
            continue
        key = (item.tenant_id, item.type, item.channel)
        if key not in routes:
            if endpoints is not None:
                routes[key] = [
                    e
                    for e in endpoints.get(item.tenant_id, [])
                    if endpoint_matches(e.event_types, e.channels, item.type, item.channel)
                ]
            else:
                routes[key] = await matching_endpoints(
                    session, tenant_id=item.tenant_id, event_type=item.type, channel=item.channel
                )
        result = _new_rows(item, routes[key])
        session.add(result.event)
        session.add_all(result.callbacks)
        seen[idem] = result
        results.append(result)
    await session.commit()
    return results


async def record_test_event(
    session: AsyncSession, *, item: NewEvent, endpoint: Endpoint
) -> IngestedEvent:
    """Stores an event with one callback, to this endpoint only (no routing: a console test)."""
    result = _new_rows(item, [endpoint])
    session.add(result.event)
    session.add_all(result.callbacks)
    await session.commit()
    return result


def _new_rows(item: NewEvent, endpoints: list[Endpoint]) -> IngestedEvent:
    event = Event(
        id=item.event_id or new_id("evt"),
        tenant_id=item.tenant_id,
        external_id=item.external_id,
        body_hash=item.body_hash,
        type=item.type,
        message_id=item.message_id,
        occurred_at=item.occurred_at,
        data=item.data,
        meta=item.meta,
        type_version=item.type_version,
    )
    callbacks = [
        Callback(
            id=callback_id(event.id, ep.id),
            tenant_id=item.tenant_id,
            endpoint_id=ep.id,
            event_id=event.id,
            event_type=item.type,
            message_id=item.message_id,
        )
        for ep in endpoints
    ]
    return IngestedEvent(event, False, callbacks, {ep.id: ep for ep in endpoints})
