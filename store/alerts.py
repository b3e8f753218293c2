"""Alerts and the outbox of their webhooks: opening, firing, resolving, listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.alerts import FIRING, OPEN_STATES, PENDING, RESOLVED, alert_body, open_key
from core.errors import NotFound
from core.ids import new_id
from store.alert_models import Alert, AlertNotification
from store.pagination import Page, paginate, to_page

__all__ = [
    "Destination",
    "Subject",
    "drop_pending",
    "fire_pending",
    "firing_counts",
    "get_alert",
    "list_alerts",
    "mark_notification",
    "open_alert",
    "open_alerts",
    "public_fields",
    "resolve_alert",
    "unsent_notifications",
]


@dataclass(frozen=True)
class Destination:
    """An alert webhook: the operator's (secret None: the configured one) or a rule's own."""

    url: str
    secret: str | None = None  # sealed with ``context``
    context: str = ""


@dataclass(frozen=True)
class Subject:
    """What an alert is about: a rule (alert rule or linkage rule) and one endpoint."""

    tenant_id: str
    rule_id: str
    rule_name: str
    kind: str
    endpoint_id: str
    threshold: float
    window_seconds: float | None = None


def public_fields(alert: Alert) -> dict[str, Any]:
    """The alert as the API and the webhook show it."""
    return {
        "alert_id": alert.id,
        "tenant_id": alert.tenant_id,
        "rule_id": alert.rule_id,
        "rule_name": alert.rule_name,
        "kind": alert.kind,
        "endpoint_id": alert.endpoint_id,
        "state": alert.state,
        "value": alert.value,
        "threshold": alert.threshold,
        "window_seconds": alert.window_seconds,
        "fired_at": alert.fired_at,
        "resolved_at": alert.resolved_at,
    }


def _notify(
    session: AsyncSession,
    alert: Alert,
    transition: str,
    now: datetime,
    destinations: Sequence[Destination],
    **extra: Any,
) -> None:
    for where in destinations:
        message_id = new_id("msg")
        body = alert_body(
            message_id=message_id,
            transition=transition,
            at=now,
            alert={**public_fields(alert), **extra},
        )
        session.add(
            AlertNotification(
                id=message_id,
                alert_id=alert.id,
                url=where.url,
                secret=where.secret,
                secret_context=where.context,
                body=body,
                created_at=now,
            )
        )


async def open_alert(
    session: AsyncSession,
    subject: Subject,
    *,
    firing: bool,
    value: float,
    since: datetime | None,
    now: datetime,
    destinations: Sequence[Destination] = (),
) -> Alert | None:
    """A new pending or firing alert; None when the rule already has one open for the
    endpoint (the unique ``open_key`` decides between racing writers)."""
    alert = Alert(
        id=new_id("al"),
        tenant_id=subject.tenant_id,
        rule_id=subject.rule_id,
        rule_name=subject.rule_name,
        kind=subject.kind,
        endpoint_id=subject.endpoint_id,
        state=FIRING if firing else PENDING,
        open_key=open_key(subject.rule_id, subject.endpoint_id),
        pending_since=since,
        fired_at=now if firing else None,
        value=value,
        threshold=subject.threshold,
        window_seconds=subject.window_seconds,
        created_at=now,
        updated_at=now,
    )
    session.add(alert)
    if firing:
        _notify(session, alert, "fired", now, destinations)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return None
    return alert


async def fire_pending(
    session: AsyncSession,
    alert: Alert,
    *,
    value: float,
    now: datetime,
    destinations: Sequence[Destination] = (),
) -> None:
    alert.state, alert.fired_at, alert.value, alert.updated_at = FIRING, now, value, now
    session.add(alert)
    _notify(session, alert, "fired", now, destinations)
    await session.commit()


async def resolve_alert(
    session: AsyncSession,
    alert: Alert,
    *,
    value: float,
    now: datetime,
    destinations: Sequence[Destination] = (),
) -> None:
    """Resolves a firing alert; ``value`` (what was observed at the resolve) goes to the
    webhook as ``resolved_value``, the alert keeps the value it fired with."""
    alert.state, alert.resolved_at, alert.open_key, alert.updated_at = RESOLVED, now, None, now
    session.add(alert)
    _notify(session, alert, "resolved", now, destinations, resolved_value=value)
    await session.commit()


async def drop_pending(session: AsyncSession, alert: Alert) -> None:
    """A pending alert whose condition stopped before it lasted long enough: never fired."""
    await session.delete(alert)
    await session.commit()


async def open_alerts(session: AsyncSession, *, kind: str | None = None) -> list[Alert]:
    statement = select(Alert).where(col(Alert.state).in_(OPEN_STATES))
    if kind is not None:
        statement = statement.where(Alert.kind == kind)
    return list((await session.exec(statement.order_by(Alert.id))).all())


async def firing_counts(session: AsyncSession) -> dict[str, int]:
    statement = select(Alert.kind, func.count()).where(Alert.state == FIRING).group_by(Alert.kind)
    return {kind: count for kind, count in (await session.exec(statement)).all()}


async def get_alert(session: AsyncSession, *, alert_id: str) -> Alert:
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.state == PENDING:
        raise NotFound(f"alert {alert_id} not found", code="alert_not_found")
    return alert


async def list_alerts(
    session: AsyncSession,
    *,
    tenant_id: str | None,
    state: str | None = None,
    rule_id: str | None = None,
    endpoint_id: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Alert]:
    """Firing and resolved alerts, newest first; ``since``/``until`` bound ``fired_at``."""
    statement = select(Alert).where(col(Alert.state).in_((FIRING, RESOLVED)))
    filters: list[Any] = []
    if tenant_id is not None:
        filters.append(Alert.tenant_id == tenant_id)
    if state is not None:
        filters.append(Alert.state == state)
    if rule_id is not None:
        filters.append(Alert.rule_id == rule_id)
    if endpoint_id is not None:
        filters.append(Alert.endpoint_id == endpoint_id)
    if kind is not None:
        filters.append(Alert.kind == kind)
    if since is not None:
        filters.append(col(Alert.fired_at) >= since)
    if until is not None:
        filters.append(col(Alert.fired_at) < until)
    statement = statement.where(*filters)
    rows = (await session.exec(paginate(statement, Alert.id, cursor=cursor, limit=limit))).all()
    return to_page(list(rows), limit=limit, id_of=lambda a: a.id)


async def unsent_notifications(
    session: AsyncSession, *, alert_id: str | None = None, limit: int = 20
) -> list[AlertNotification]:
    """Webhooks not sent yet (of one alert, or of all): the least tried first, then the
    oldest, so a destination that keeps failing does not hold the others back."""
    statement = select(AlertNotification).where(col(AlertNotification.sent_at).is_(None))
    if alert_id is not None:
        statement = statement.where(AlertNotification.alert_id == alert_id)
    statement = statement.order_by(
        col(AlertNotification.attempts), col(AlertNotification.created_at), AlertNotification.id
    )
    return list((await session.exec(statement.limit(limit))).all())


async def mark_notification(
    session: AsyncSession, notification_id: str, *, sent_at: datetime | None, error: str | None
) -> None:
    row = await session.get(AlertNotification, notification_id)
    if row is None:
        return
    row.attempts += 1
    row.sent_at = sent_at
    row.last_error = error
    session.add(row)
    await session.commit()
