"""The built-in follow-ons: notify (operational events), suppress, webhook, escalate."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, func, or_, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.alert_webhooks import AlertWebhooks
from activities.alerts import log_transition
from activities.sender import HttpSender
from core.alerts import ESCALATION, open_key
from core.callback_contracts import FollowOnInput, FollowOnOutcome
from core.envelope import ENVELOPE_VERSION, render_json
from core.linkage import operational_type
from core.secret_box import SecretBox
from core.settings import Settings
from core.signing import signature_headers
from runtime.callbacks import CallbackControl
from runtime.operational import emit_operational_event
from store.alert_models import Alert
from store.alerts import Subject, open_alert
from store.db import Database
from store.event_models import Callback, Event
from store.linkage import get_rule
from store.linkage_models import LinkageRule
from store.suppressions import suppress

__all__ = ["FollowOnActivities"]

log = logging.getLogger(__name__)
REFUSED = "FollowOnRefused"  # non-retryable: the rule or its event is gone


def _facts(input: FollowOnInput) -> dict[str, Any]:
    """What every follow-on says about the callback that triggered it."""
    return {
        "callback_id": input.callback_id,
        "endpoint_id": input.endpoint_id,
        "event_id": input.event_id,
        "event_type": input.event_type,
        "message_id": input.message_id,
        "state": input.state,
        "attempts": input.attempts,
        "last_error": input.last_error,
        "rule_id": input.rule_id,
        "trigger": input.trigger,
    }


class FollowOnActivities:
    def __init__(
        self,
        *,
        db: Database,
        control: CallbackControl,
        sender: HttpSender,
        box: SecretBox,
        settings: Settings,
        webhooks: AlertWebhooks | None = None,
    ) -> None:
        self._db = db
        self._webhooks = webhooks or AlertWebhooks(db=db, sender=sender, box=box, settings=settings)
        self._control = control
        self._sender = sender
        self._box = box
        self._settings = settings

    async def _event(self, input: FollowOnInput) -> Event:
        async with self._db.session() as session:
            event = await session.get(Event, input.event_id)
        if event is None:
            raise ApplicationError(f"event {input.event_id} is gone", type=REFUSED)
        return event

    @activity.defn(name="follow_on_suppress")
    async def suppress(self, input: FollowOnInput) -> FollowOnOutcome:
        """Puts the event's recipient on the tenant's suppression list."""
        event = await self._event(input)
        recipient = event.data.get("recipient")
        if not isinstance(recipient, str) or not recipient:
            return FollowOnOutcome(input.rule_id, input.trigger, "no recipient")
        error = event.data.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        reason = str(code or event.type.rsplit(".", 1)[-1])[:200]
        channel = event.data.get("channel")
        async with self._db.session() as session:
            _, created = await suppress(
                session,
                tenant_id=input.tenant_id,
                recipient=recipient,
                reason=reason,
                channel=channel.get("type") if isinstance(channel, dict) else None,
                source=f"{input.rule_id}/{input.callback_id}",
            )
        return FollowOnOutcome(
            input.rule_id, input.trigger, "suppressed" if created else "already suppressed"
        )

    @activity.defn(name="follow_on_notify")
    async def notify(self, input: FollowOnInput) -> FollowOnOutcome:
        """Emits the operational event (e.g. callback.dead_lettered) to the tenant's endpoints
        that subscribe to it: itself a signed callback, once per trigger."""
        async with self._db.session() as session:
            result = await emit_operational_event(
                session,
                self._control,
                tenant_id=input.tenant_id,
                event_type=operational_type(input.trigger),
                key=activity.info().workflow_id or input.callback_id,
                message_id=input.message_id,
                data={**_facts(input), "tenant_id": input.tenant_id},
            )
        return FollowOnOutcome(
            input.rule_id, input.trigger, f"notified {len(result.callbacks)} endpoint(s)"
        )

    @activity.defn(name="follow_on_webhook")
    async def post_webhook(self, input: FollowOnInput) -> FollowOnOutcome:
        """POSTs a derived, signed event to the rule's URL to start the business's own process."""
        async with self._db.session() as session:
            rule = await get_rule(session, rule_id=input.rule_id)
        event = await self._event(input)
        if not rule.secret or not rule.action.get("url"):
            raise ApplicationError(f"rule {rule.id} has no URL or secret", type=REFUSED)
        msg_id = activity.info().workflow_id or input.callback_id  # the same on every retry
        body = render_json(
            {
                "id": msg_id,
                "type": rule.action.get("event_type") or "linkage.follow_on",
                "version": ENVELOPE_VERSION,
                "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "tenant_id": input.tenant_id,
                "data": {**_facts(input), "event": event.data},
            }
        )
        secret = self._box.open(rule.secret, context=rule.id)
        headers = {
            "content-type": "application/json",
            "user-agent": self._settings.user_agent,
            **signature_headers([secret], msg_id, int(time.time()), body),
        }
        outcome = await self._sender.send(
            url=rule.action["url"], body=body, headers=headers, timeout_seconds=15
        )
        if not outcome.ok:
            raise ApplicationError(f"follow-on webhook: {outcome.error}", type="FollowOnFailed")
        return FollowOnOutcome(input.rule_id, input.trigger, f"posted {outcome.status_code}")

    @activity.defn(name="follow_on_escalate")
    async def escalate(self, input: FollowOnInput) -> FollowOnOutcome:
        """Raises an ``escalation`` alert for the endpoint when it has N dead letters within the
        rule's window: stored (GET /v1/alerts), logged and POSTed to the alert webhook like any
        alert; the alert evaluator resolves it once the count falls under N."""
        async with self._db.session() as session:
            rule = await get_rule(session, rule_id=input.rule_id)
            threshold = int(rule.action.get("threshold", 5))
            window = timedelta(seconds=float(rule.action.get("window_seconds", 3600)))
            since = datetime.now(UTC) - window
            count = (
                await session.exec(
                    # the triggering callback counts even before its own status is stored
                    select(func.count()).where(
                        Callback.endpoint_id == input.endpoint_id,
                        or_(
                            Callback.id == input.callback_id,
                            (col(Callback.status) == "dead_lettered")
                            & (col(Callback.updated_at) >= since),
                        ),
                    )
                )
            ).one()
        if count < threshold:
            return FollowOnOutcome(input.rule_id, input.trigger, f"{count} < {threshold}")
        alert = await self._raise_alert(input, rule, count, threshold, window)
        delivered = await self._webhooks.deliver(alert_id=alert.id)
        if delivered.failed:  # retried by FollowOnWorkflow (the outbox keeps it meanwhile)
            raise ApplicationError("alert webhook failed", type="AlertWebhookFailed")
        return FollowOnOutcome(input.rule_id, input.trigger, f"escalated: {count} dead letters")

    async def _raise_alert(
        self,
        input: FollowOnInput,
        rule: LinkageRule,
        count: int,
        threshold: int,
        window: timedelta,
    ) -> Alert:
        """The endpoint's escalation alert: opened now, or the one already firing."""
        subject = Subject(
            tenant_id=input.tenant_id,
            rule_id=rule.id,
            rule_name=rule.name,
            kind=ESCALATION,
            endpoint_id=input.endpoint_id,
            threshold=threshold,
            window_seconds=window.total_seconds(),
        )
        now = datetime.now(UTC)
        async with self._db.session() as session:
            alert = await open_alert(
                session,
                subject,
                firing=True,
                value=count,
                since=now,
                now=now,
                destinations=self._webhooks.destinations(),
            )
            if alert is not None:
                log_transition(alert, "fired", count)
                return alert
            key = open_key(rule.id, input.endpoint_id)
            found = (await session.exec(select(Alert).where(Alert.open_key == key))).first()
        if found is None:  # resolved between the two statements: the next dead letter re-raises
            raise ApplicationError("escalation alert resolved meanwhile; trying again")
        return found
