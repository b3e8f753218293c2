"""The breaker transition outbox: a transition whose event was never handed over (its worker
died after the commit) is told by the alerts evaluator's sweep, once, with the event id (and
webhook-id) derived from the transition; one handed over is not told again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlmodel import col
from standardwebhooks import Webhook

from activities.alert_webhooks import AlertWebhooks
from activities.alerts import AlertActivities
from activities.endpoint_watch import EndpointWatch, transition_event_id
from activities.sender import HttpSender
from core.alert_contracts import AlertsTick
from core.ids import callback_id, new_id
from runtime.metrics import Metrics
from runtime.secrets import load_secret_box
from store.db import Database
from store.delivery_models import BreakerTransition
from store.types import utcnow
from tests.support.receiver import Receiver
from tests.support.stack import Stack

CIRCUIT_TYPES = [f"endpoint.circuit_{s}" for s in ("opened", "half_opened", "closed")]


async def _transition(
    db: Database, endpoint_id: str, at: datetime, handed_over_at: datetime | None = None
) -> BreakerTransition:
    """A transition as ``store.breaker`` commits it (the worker then dies, or not)."""
    row = BreakerTransition(
        id=new_id("brk"),
        endpoint_id=endpoint_id,
        from_state="closed",
        to_state="open",
        reason="3 failures in a row",
        window_requests=3,
        window_failures=3,
        consecutive_failures=3,
        at=at,
        handed_over_at=handed_over_at,
    )
    async with db.session() as session:
        session.add(row)
        await session.commit()
        await session.refresh(row)
    return row


async def _handed_over(db: Database, transition_id: str) -> datetime | None:
    async with db.session() as session:
        row = await session.get(BreakerTransition, transition_id)
        assert row is not None
        return row.handed_over_at


def _told(ops: dict[str, Any], receiver: Receiver) -> list[tuple[str, dict[str, Any]]]:
    """(webhook-id, verified payload) of every request the operations endpoint got."""
    return [
        (r.headers["webhook-id"], Webhook(ops["secret"]).verify(r.body, r.headers))
        for r in receiver.requests
    ]


async def test_the_sweep_tells_a_lost_transition_once_with_its_own_id(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    watched = await stack.endpoint(tenant["id"], receiver.url)  # gets no events here
    ops = await stack.endpoint(tenant["id"], receiver.url, event_types=CIRCUIT_TYPES)
    db: Database = stack.app.state.db
    watch = EndpointWatch(db, Metrics(), stack.app.state.control)
    now = utcnow()
    lost = await _transition(db, watched["id"], now - timedelta(minutes=2))
    told = await _transition(db, watched["id"], now - timedelta(minutes=2), now)
    fresh = await _transition(db, watched["id"], now - timedelta(seconds=5))  # its teller's busy

    async with httpx.AsyncClient() as http:  # the sweep runs in the alerts evaluation
        sender = HttpSender(http, excerpt_bytes=stack.settings.response_excerpt_bytes)
        box = load_secret_box(stack.settings)
        webhooks = AlertWebhooks(db=db, sender=sender, box=box, settings=stack.settings)
        alerts = AlertActivities(
            db=db, webhooks=webhooks, settings=stack.settings, metrics=Metrics(), watch=watch
        )
        await alerts.evaluate(AlertsTick(run=1, iteration=1))
    assert await watch.tell_untold() == 0  # told and marked: the next sweep has nothing

    await receiver.wait_for(1)
    await asyncio.sleep(1)
    [(webhook_id, payload)] = _told(ops, receiver)
    event_id = transition_event_id(lost.id)
    assert payload["type"] == "endpoint.circuit_opened"
    assert payload["data"]["transition_id"] == lost.id
    assert payload["event_id"] == event_id
    assert webhook_id == callback_id(event_id, ops["id"])  # what the lost one would have had
    assert await _handed_over(db, lost.id) is not None
    assert await _handed_over(db, told.id) == now
    assert await _handed_over(db, fresh.id) is None

    # Handed over, but its worker died before marking it: told again, the stored event answers
    # (same key, same id), also when the endpoint was renamed since: no second delivery.
    for n, rename in enumerate((False, True), start=2):
        stored = await _transition(db, watched["id"], now - timedelta(minutes=3))
        assert await watch.tell(stored)
        await _unmark(db, stored.id)
        await receiver.wait_for(n)
        if rename:
            patch = await stack.api.patch(f"/v1/endpoints/{watched['id']}", json={"name": "new"})
            assert patch.status_code == 200, patch.text
        assert await watch.tell_untold() == 1
        await asyncio.sleep(0.5)
        assert len(receiver.requests) == n
        webhook_ids = [
            w for w, p in _told(ops, receiver) if p["data"]["transition_id"] == stored.id
        ]
        assert webhook_ids == [callback_id(transition_event_id(stored.id), ops["id"])]
        assert await _handed_over(db, stored.id) is not None


async def _unmark(db: Database, transition_id: str) -> None:
    async with db.session() as session:
        await session.execute(
            update(BreakerTransition)
            .where(col(BreakerTransition.id) == transition_id)
            .values(handed_over_at=None)
        )
        await session.commit()
