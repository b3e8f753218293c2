"""Alerting, the pure part: the kinds of rule, what an observation decides, the webhook body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.envelope import ENVELOPE_VERSION

__all__ = [
    "ESCALATION",
    "RULE_KINDS",
    "Decision",
    "Observation",
    "alert_body",
    "decide",
    "open_key",
]

SUCCESS_RATE_BELOW = "success_rate_below"
DEAD_LETTERS_OVER = "dead_letters_over"
BREAKER_OPEN_LONGER_THAN = "breaker_open_longer_than"
RULE_KINDS = (SUCCESS_RATE_BELOW, DEAD_LETTERS_OVER, BREAKER_OPEN_LONGER_THAN)
ESCALATION = "escalation"  # raised by the escalate follow-on of a linkage rule

PENDING, FIRING, RESOLVED = "pending", "firing", "resolved"
OPEN_STATES = (PENDING, FIRING)


@dataclass(frozen=True)
class Observation:
    """A rule's condition for one endpoint now: whether it holds, since when, and the value.

    ``hold_seconds`` > 0: the condition must hold that long before the alert fires (the
    breaker open longer than T); until then the alert is pending."""

    holds: bool
    value: float
    since: datetime | None = None
    hold_seconds: float = 0.0


@dataclass(frozen=True)
class Decision:
    """What to do with the rule's alert for one endpoint."""

    action: str  # "none", "pend", "fire", "resolve", "drop" (a pending one that never fired)
    since: datetime | None = None


def decide(observation: Observation, open_state: str | None, now: datetime) -> Decision:
    """The transition for an endpoint whose open alert is ``open_state`` (None: none open)."""
    if not observation.holds:
        if open_state == FIRING:
            return Decision("resolve")
        return Decision("drop" if open_state == PENDING else "none")
    if open_state == FIRING:
        return Decision("none")
    since = observation.since or now
    held = (now - since).total_seconds()
    if held >= observation.hold_seconds:
        return Decision("fire", since)
    return Decision("none" if open_state == PENDING else "pend", since)


def open_key(rule_id: str, endpoint_id: str) -> str:
    """The value of ``Alert.open_key`` while the alert is pending or firing."""
    return f"{rule_id}/{endpoint_id}"


def _at(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def alert_body(
    *,
    message_id: str,
    transition: str,
    at: datetime,
    alert: dict[str, Any],
) -> dict[str, Any]:
    """The JSON POSTed to an alert webhook for one fire (``alert.fired``) or resolve
    (``alert.resolved``); ``alert`` holds the alert's public fields."""
    data = dict(alert)
    for key in ("fired_at", "resolved_at"):
        if isinstance(data.get(key), datetime):
            data[key] = _at(data[key])
    return {
        "id": message_id,
        "type": f"alert.{transition}",
        "version": ENVELOPE_VERSION,
        "timestamp": _at(at),
        "tenant_id": data.get("tenant_id"),
        "data": data,
    }
