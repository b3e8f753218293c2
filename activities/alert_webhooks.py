"""Sending the alert webhooks waiting in the outbox: signed the Standard Webhooks way, each
with its own ``webhook-id`` (the same on every try), marked sent once the receiver took it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import httpx

from activities.sender import HttpSender, SendOutcome
from core.envelope import render_json
from core.secret_box import SecretBox
from core.settings import Settings
from core.signing import signature_headers
from store.alert_models import AlertNotification, AlertRule
from store.alerts import Destination, mark_notification, unsent_notifications
from store.db import Database
from store.types import utcnow

__all__ = ["AlertWebhooks", "Delivered"]

log = logging.getLogger(__name__)
_MAX_PAGES = 10  # of 20 webhooks per deliver()


@dataclass(frozen=True)
class Delivered:
    sent: int
    failed: int


class AlertWebhooks:
    """The operator's alert webhook (``GOUTONG_ALERT_WEBHOOK_URL``, trusted like the rest of
    the configuration) and a rule's own URL (a tenant's: through the SSRF-guarded sender)."""

    def __init__(
        self, *, db: Database, sender: HttpSender, box: SecretBox, settings: Settings
    ) -> None:
        self._db = db
        self._sender = sender
        self._box = box
        self._settings = settings

    def destinations(self, rule: AlertRule | None = None) -> list[Destination]:
        """Where an alert of ``rule`` goes: the operator's webhook, and the rule's own URL."""
        found = []
        if self._settings.alert_webhook_url:
            found.append(Destination(self._settings.alert_webhook_url))
        if rule is not None and rule.webhook_url and rule.secret:
            found.append(Destination(rule.webhook_url, rule.secret, rule.id))
        return found

    async def deliver(self, *, alert_id: str | None = None) -> Delivered:
        """Sends what waits (of one alert, or all), page by page while every POST of a page
        succeeds; failures stay in the outbox."""
        sent = failed = 0
        for _ in range(_MAX_PAGES):
            async with self._db.session() as session:
                waiting = await unsent_notifications(session, alert_id=alert_id)
            for row in waiting:
                ok = await self._deliver_one(row)
                sent, failed = (sent + 1, failed) if ok else (sent, failed + 1)
            if failed or not waiting:
                break
        return Delivered(sent, failed)

    async def _deliver_one(self, row: AlertNotification) -> bool:
        if row.secret is None and not self._settings.alert_webhook_secret:
            # queued before the operator's webhook was switched off: nothing to sign with
            async with self._db.session() as session:
                await mark_notification(
                    session, row.id, sent_at=utcnow(), error="dropped: no signing secret"
                )
            return True
        outcome = await self._post(row)
        async with self._db.session() as session:
            await mark_notification(
                session, row.id, sent_at=utcnow() if outcome.ok else None, error=outcome.error
            )
        if not outcome.ok:
            log.warning("alert webhook %s to %s failed: %s", row.id, row.url, outcome.error)
        return outcome.ok

    async def _post(self, row: AlertNotification) -> SendOutcome:
        if row.secret:
            secret = self._box.open(row.secret, context=row.secret_context)
        else:
            secret = str(self._settings.alert_webhook_secret)
        body = render_json(row.body)
        headers = {
            "content-type": "application/json",
            "user-agent": self._settings.user_agent,
            **signature_headers([secret], row.id, int(time.time()), body),
        }
        timeout = self._settings.alert_webhook_timeout_seconds
        if row.secret:
            return await self._sender.send(
                url=row.url, body=body, headers=headers, timeout_seconds=timeout
            )
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as http:
            return await HttpSender(http, excerpt_bytes=256).send(
                url=row.url, body=body, headers=headers, timeout_seconds=timeout
            )
