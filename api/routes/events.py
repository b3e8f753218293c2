"""Ingestion: accept fast (202), store once per idempotency key, start one workflow per callback."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, status
from sqlmodel.ext.asyncio.session import AsyncSession

from api.access import CanIngest
from api.auth import Principal
from api.catalogue import CatalogueCache, EventCheck
from api.deps import CatalogueDep, ControlDep, MetricsDep, SessionDep
from api.schemas import BatchAccepted, EventAccepted, EventBatch
from core.errors import InvalidInput
from core.events import CustomEvent, EventIn
from runtime.callbacks import CallbackControl
from runtime.ingest import accept_events
from runtime.metrics import Metrics
from store.endpoints import enabled_endpoints_of
from store.events import NewEvent

router = APIRouter(prefix="/v1/events", tags=["events"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Used as the event id when the body has none.",
    ),
]


def _to_new_event(event: EventIn, tenant_id: str, external_id: str) -> NewEvent:
    canonical = event.model_dump(mode="json", exclude={"id", "tenant_id"})
    if canonical.get("schema_version") is None:  # keeps the hashes of events from before it
        canonical.pop("schema_version", None)
    body_hash = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
    return NewEvent(
        tenant_id=tenant_id,
        external_id=external_id,
        body_hash=body_hash,
        type=event.type,
        message_id=event.message_id,
        occurred_at=event.timestamp or datetime.now(UTC),
        channel=event.channel.type if event.channel else None,
        data=event.envelope_data(),
        meta=event.metadata,
    )


def _check_of(event: EventIn, item: NewEvent, index: int | None) -> EventCheck:
    loc: tuple[str | int, ...] = ("body",) if index is None else ("body", "events", index)
    return EventCheck(
        tenant_id=item.tenant_id,
        type=event.type,
        version=event.schema_version,
        data=item.data,
        loc=loc,
        data_loc=(*loc, "data") if isinstance(event, CustomEvent) else loc,
        label="" if index is None else f"events[{index}]: ",
    )


async def _ingest(
    session: AsyncSession,
    control: CallbackControl,
    caller: Principal,
    events: list[tuple[EventIn, str]],
    metrics: Metrics,
    catalogue: CatalogueCache,
    *,
    batch: bool,
) -> list[EventAccepted]:
    items = [
        _to_new_event(event, caller.resolve_tenant(event.tenant_id), external_id)
        for event, external_id in events
    ]
    # proves every tenant exists and reads its enabled endpoints, in one query
    endpoints = await enabled_endpoints_of(
        session, tenant_ids=list(dict.fromkeys(item.tenant_id for item in items))
    )
    checks = [
        _check_of(event, item, index if batch else None)
        for index, ((event, _), item) in enumerate(zip(events, items, strict=True))
    ]
    versions = await catalogue.check(session, checks)
    for item, version in zip(items, versions, strict=True):
        item.type_version = version
    results = await accept_events(session, control, items, endpoints)  # all or none
    for result in results:
        metrics.events.labels("duplicate" if result.duplicate else "accepted").inc()
        if not result.duplicate:
            metrics.callbacks_started.inc(len(result.callbacks))
    return [
        EventAccepted(
            event_id=result.event.id,
            external_id=result.event.external_id,
            callback_ids=[c.id for c in result.callbacks],
            duplicate=result.duplicate,
        )
        for result in results
    ]


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=EventAccepted)
async def post_event(
    event: EventIn,
    caller: CanIngest,
    session: SessionDep,
    control: ControlDep,
    metrics: MetricsDep,
    catalogue: CatalogueDep,
    idempotency_key: IdempotencyKey = None,
) -> EventAccepted:
    """Accepts one event; answers once its callbacks are durably started."""
    external_id = event.id or idempotency_key or f"auto-{uuid.uuid4()}"
    if event.id and idempotency_key and event.id != idempotency_key:
        raise InvalidInput(
            "body id and Idempotency-Key differ; send one or make them equal",
            code="idempotency_key_mismatch",
        )
    accepted = await _ingest(
        session, control, caller, [(event, external_id)], metrics, catalogue, batch=False
    )
    return accepted[0]


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED, response_model=BatchAccepted)
async def post_batch(
    batch: EventBatch,
    caller: CanIngest,
    session: SessionDep,
    control: ControlDep,
    metrics: MetricsDep,
    catalogue: CatalogueDep,
    idempotency_key: IdempotencyKey = None,
) -> BatchAccepted:
    """Accepts up to 1000 events at once (all or none); each event's ``id`` is its key."""
    if idempotency_key is not None:
        raise InvalidInput(
            "a batch has no Idempotency-Key: give every event its own id",
            code="idempotency_key_unsupported",
        )
    items = [(event, event.id or f"auto-{uuid.uuid4()}") for event in batch.events]
    accepted = await _ingest(session, control, caller, items, metrics, catalogue, batch=True)
    return BatchAccepted(events=accepted)
