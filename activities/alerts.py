"""The alert evaluator: each rule's value per endpoint from the store, alerts opened when the
condition starts holding and resolved when it stops (one open alert per rule and endpoint),
a structured log line and alert webhooks (outbox) for every fire and resolve."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import col, func, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.alert_webhooks import AlertWebhooks
from activities.endpoint_watch import EndpointWatch
from core.alert_contracts import AlertsEvaluation, AlertsSend, AlertsSent, AlertsTick
from core.alerts import (
    BREAKER_OPEN_LONGER_THAN,
    DEAD_LETTERS_OVER,
    ESCALATION,
    PENDING,
    SUCCESS_RATE_BELOW,
    Observation,
    decide,
    open_key,
)
from core.settings import Settings
from runtime.logs import log_context
from runtime.metrics import Metrics
from store import alert_values as values
from store.alert_models import Alert, AlertNotification, AlertRule
from store.alerts import (
    Subject,
    drop_pending,
    fire_pending,
    firing_counts,
    open_alert,
    open_alerts,
    resolve_alert,
)
from store.db import Database
from store.linkage_models import LinkageRule
from store.types import utcnow

__all__ = ["AlertActivities", "log_transition"]

log = logging.getLogger("goutong.alerts")

# The escalate follow-on counts its dead letter before the callback's status is stored: an
# escalation stays firing at least two evaluation intervals (and a second), so that the
# evaluator does not resolve it in between.
ESCALATION_GRACE_INTERVALS = 2


def log_transition(alert: Alert, transition: str, value: float) -> None:
    """The structured line of a fire or resolve (masked by the log formatter)."""
    token = log_context.set(
        {
            "alert_id": alert.id,
            "alert": transition,
            "alert_kind": alert.kind,
            "rule_id": alert.rule_id,
            "endpoint_id": alert.endpoint_id,
            "tenant_id": alert.tenant_id,
        }
    )
    try:
        log.warning(
            "alert %s: %s of endpoint %s (rule %s %r): value %g, threshold %g",
            transition,
            alert.kind,
            alert.endpoint_id,
            alert.rule_id,
            alert.rule_name,
            value,
            alert.threshold,
        )
    finally:
        log_context.reset(token)


def _subject(rule: AlertRule, endpoint_id: str) -> Subject:
    return Subject(
        tenant_id=rule.tenant_id,
        rule_id=rule.id,
        rule_name=rule.name,
        kind=rule.kind,
        endpoint_id=endpoint_id,
        threshold=rule.threshold,
        window_seconds=rule.window_seconds,
    )


class AlertActivities:
    def __init__(
        self,
        *,
        db: Database,
        webhooks: AlertWebhooks,
        settings: Settings,
        metrics: Metrics,
        watch: EndpointWatch | None = None,
    ) -> None:
        self._db = db
        self._webhooks = webhooks
        self._settings = settings
        self._metrics = metrics
        self._watch = watch

    @activity.defn(name="alerts_evaluate")
    async def evaluate(self, tick: AlertsTick) -> AlertsEvaluation:
        """Every rule's alerts; first, the circuit breaker outbox's sweep (``watch``): this
        activity is the one thing that runs on an interval for the whole namespace, whatever
        is configured, so it tells breaker transitions whose event was lost."""
        await self._sweep_breaker_outbox()
        now = utcnow()
        async with self._db.session() as session:
            rules = list((await session.exec(select(AlertRule))).all())
            opened = {a.open_key or a.id: a for a in await open_alerts(session)}
        seen: set[str] = set()
        fired = resolved = 0
        for rule in (r for r in rules if r.enabled):
            for endpoint_id, observation in (await self._observe(rule, now)).items():
                key = open_key(rule.id, endpoint_id)
                seen.add(key)
                f, r = await self._apply(rule, endpoint_id, observation, opened.get(key), now)
                fired, resolved = fired + f, resolved + r
        by_id = {r.id: r for r in rules}
        for key, alert in opened.items():
            if key in seen:
                continue
            if alert.kind == ESCALATION:
                resolved += await self._escalation(alert, now)
            else:  # its rule was deleted or disabled, or the endpoint is gone
                gone = Observation(holds=False, value=alert.value)
                resolved += (await self._apply(by_id.get(alert.rule_id), "", gone, alert, now))[1]
        async with self._db.session() as session:
            counts = await firing_counts(session)
            unsent = (
                await session.exec(
                    select(func.count()).where(col(AlertNotification.sent_at).is_(None))
                )
            ).one()
        for kind in (SUCCESS_RATE_BELOW, DEAD_LETTERS_OVER, BREAKER_OPEN_LONGER_THAN, ESCALATION):
            self._metrics.alerts_firing.labels(kind=kind).set(counts.get(kind, 0))
        return AlertsEvaluation(
            fired=fired,
            resolved=resolved,
            unsent=unsent,
            interval_seconds=self._settings.alerts_interval_seconds,
            iterations_per_run=self._settings.alerts_iterations_per_run,
        )

    async def _sweep_breaker_outbox(self) -> None:
        if self._watch is None:
            return
        try:
            await self._watch.tell_untold()
        except Exception as exc:  # the alerts go on; the sweep is tried again next interval
            log.warning("breaker outbox sweep failed: %s", exc)

    @activity.defn(name="alerts_send")
    async def send(self, request: AlertsSend) -> AlertsSent:
        """POSTs the waiting alert webhooks; fails (and is retried) while any is not taken."""
        delivered = await self._webhooks.deliver()
        if delivered.failed:
            raise ApplicationError(
                f"{delivered.failed} alert webhook(s) failed, {delivered.sent} sent",
                type="AlertWebhookFailed",
            )
        return AlertsSent(delivered.sent, delivered.failed)

    async def _observe(self, rule: AlertRule, now: datetime) -> dict[str, Observation]:
        """The rule's condition for each endpoint it watches."""
        since = now - timedelta(seconds=rule.window_seconds or 0)
        async with self._db.session() as session:
            endpoints = await values.endpoints_of(
                session, tenant_id=rule.tenant_id, endpoint_id=rule.endpoint_id
            )
            tenant, endpoint_id = rule.tenant_id, rule.endpoint_id
            if rule.kind == SUCCESS_RATE_BELOW:
                outcomes = await values.outcomes(
                    session, tenant_id=tenant, endpoint_id=endpoint_id, since=since
                )
                found = {}
                for endpoint in endpoints:
                    seen = outcomes.get(endpoint, values.Outcomes())
                    holds = seen.total >= rule.min_callbacks and seen.success_rate < rule.threshold
                    found[endpoint] = Observation(holds, seen.success_rate)
                return found
            if rule.kind == DEAD_LETTERS_OVER:
                counts = await values.dead_letters(
                    session, tenant_id=tenant, endpoint_id=endpoint_id, since=since
                )
                return {
                    e: Observation(counts.get(e, 0) > rule.threshold, counts.get(e, 0))
                    for e in endpoints
                }
            breakers = await values.breakers_of(session, endpoint_ids=endpoints)
        found = {}
        for endpoint in endpoints:
            state, changed = breakers.get(endpoint, ("closed", None))
            found[endpoint] = Observation(
                holds=state != "closed", value=0.0, since=changed, hold_seconds=rule.threshold
            )
        return found

    async def _apply(
        self,
        rule: AlertRule | None,
        endpoint_id: str,
        observation: Observation,
        alert: Alert | None,
        now: datetime,
    ) -> tuple[int, int]:
        """Opens, fires, resolves or drops the rule's alert for the endpoint: (fired, resolved)."""
        if alert is not None and alert.state == PENDING and alert.pending_since is not None:
            since = min(alert.pending_since, observation.since or now)
            observation = replace(observation, since=since)
        decision = decide(observation, alert.state if alert else None, now)
        value = observation.value
        if observation.hold_seconds and decision.since is not None:  # the breaker: how long
            value = round((now - decision.since).total_seconds(), 3)
        destinations = self._webhooks.destinations(rule)
        async with self._db.session() as session:
            current = await session.get(Alert, alert.id) if alert is not None else None
            if decision.action == "pend" and rule is not None:
                await open_alert(
                    session,
                    _subject(rule, endpoint_id),
                    firing=False,
                    value=value,
                    since=decision.since,
                    now=now,
                )
            elif decision.action == "fire" and current is not None:
                await fire_pending(
                    session, current, value=value, now=now, destinations=destinations
                )
                log_transition(current, "fired", value)
                return 1, 0
            elif decision.action == "fire" and rule is not None:
                new = await open_alert(
                    session,
                    _subject(rule, endpoint_id),
                    firing=True,
                    value=value,
                    since=decision.since,
                    now=now,
                    destinations=destinations,
                )
                if new is not None:
                    log_transition(new, "fired", value)
                    return 1, 0
            elif decision.action == "resolve" and current is not None:
                await resolve_alert(
                    session, current, value=value, now=now, destinations=destinations
                )
                log_transition(current, "resolved", value)
                return 0, 1
            elif decision.action == "drop" and current is not None:
                await drop_pending(session, current)
        return 0, 0

    async def _escalation(self, alert: Alert, now: datetime) -> int:
        """Resolves an escalation once its endpoint's dead letters within the linkage rule's
        window fall under its threshold (or the rule is gone or off): 1 if it did."""
        grace = max(1.0, ESCALATION_GRACE_INTERVALS * self._settings.alerts_interval_seconds)
        if alert.fired_at and (now - alert.fired_at).total_seconds() < grace:
            return 0
        async with self._db.session() as session:
            rule = await session.get(LinkageRule, alert.rule_id)
        count = 0
        if rule is not None and rule.enabled and rule.action.get("kind") == "escalate":
            window = timedelta(seconds=float(rule.action.get("window_seconds", 3600)))
            async with self._db.session() as session:
                counts = await values.dead_letters(
                    session,
                    tenant_id=alert.tenant_id,
                    endpoint_id=alert.endpoint_id,
                    since=now - window,
                )
            count = counts.get(alert.endpoint_id, 0)
            if count >= int(rule.action.get("threshold", 5)):
                return 0
        observation = Observation(holds=False, value=float(count))
        return (await self._apply(None, alert.endpoint_id, observation, alert, now))[1]
