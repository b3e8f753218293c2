"""The alert store: one open alert per rule and endpoint, and the outbox order."""

from __future__ import annotations

from pathlib import Path

from store.alert_models import Alert
from store.alerts import (
    Destination,
    Subject,
    mark_notification,
    open_alert,
    resolve_alert,
    unsent_notifications,
)
from store.db import Database
from store.types import utcnow

SUBJECT = Subject("tnt_1", "ar_1", "dead", "dead_letters_over", "ep_1", 2, 600)
HOOKS = (Destination("http://ops.example/alerts"), Destination("http://tenant.example/a", "x"))


async def test_one_open_alert_per_rule_and_endpoint_and_the_outbox_order(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    await db.create_schema()
    try:
        async with db.session() as session:
            first = await open_alert(
                session, SUBJECT, firing=True, value=3, since=None, now=utcnow(), destinations=HOOKS
            )
            assert first is not None
        async with db.session() as session:  # a refused insert rolls its session back
            again = await open_alert(
                session, SUBJECT, firing=True, value=4, since=None, now=utcnow()
            )
            assert again is None  # still open: the unique open_key refuses a second one
        async with db.session() as session:
            waiting = await unsent_notifications(session)
            assert sorted(n.url for n in waiting) == sorted(d.url for d in HOOKS)
            assert {n.body["type"] for n in waiting} == {"alert.fired"}
            # the tenant's URL failed once: the operator's and newer ones go before it
            tenants = next(n for n in waiting if n.url == HOOKS[1].url)
            await mark_notification(session, tenants.id, sent_at=None, error="HTTP 500")
            current = await session.get(Alert, first.id)
            assert current is not None
            await resolve_alert(session, current, value=1, now=utcnow(), destinations=HOOKS[:1])
            order = [(n.url, n.body["type"]) for n in await unsent_notifications(session)]
            assert order == [
                ("http://ops.example/alerts", "alert.fired"),
                ("http://ops.example/alerts", "alert.resolved"),
                ("http://tenant.example/a", "alert.fired"),
            ]
            reopened = await open_alert(
                session, SUBJECT, firing=True, value=5, since=None, now=utcnow()
            )
            assert reopened is not None and reopened.id != first.id  # resolved: a new alert
    finally:
        await db.dispose()
