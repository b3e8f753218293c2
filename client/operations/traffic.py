"""The operations on what flows: events, callbacks, recoveries, the audit log, stats and health."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from client import models as m
from client.call import Call
from client.operations._shared import Action, Event, _body, _page

# --- events ------------------------------------------------------------------------------------


def send_event(event: Event, idempotency_key: str | None = None) -> Call[m.EventAccepted]:
    """Always carries an Idempotency-Key (made up when neither it nor ``event.id`` is given),
    so a retried post cannot start the callbacks twice."""
    key = idempotency_key or event.id or f"client-{uuid.uuid4()}"
    body = event.model_dump(mode="json", exclude_unset=True)
    headers = {"Idempotency-Key": key}
    return Call("POST", "/v1/events", m.EventAccepted, json=body, headers=headers, repeatable=True)


def send_batch(events: list[Event]) -> Call[m.BatchAccepted]:
    """Every event without an ``id`` gets one, which makes the batch safe to repeat."""
    bodies = []
    for event in events:
        body = event.model_dump(mode="json", exclude_unset=True)
        body.setdefault("id", f"client-{uuid.uuid4()}")
        bodies.append(body)
    body = {"events": bodies}
    return Call("POST", "/v1/events/batch", m.BatchAccepted, json=body, repeatable=True)


# --- callbacks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackFilters:
    tenant: str | None = None
    endpoint: str | None = None
    status: str | None = None
    event_type: str | None = None


def list_callbacks(
    filters: CallbackFilters, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.CallbackPublic]]:
    return _page("/v1/callbacks", m.CallbackPublic, cursor, limit, **asdict(filters))


def get_callback(callback_id: str) -> Call[m.CallbackDetail]:
    return Call("GET", f"/v1/callbacks/{callback_id}", m.CallbackDetail)


def act_on_callback(
    callback_id: str, action: Action, reason: str = ""
) -> Call[m.InterventionAccepted]:
    path = f"/v1/callbacks/{callback_id}/{action}"
    return Call("POST", path, m.InterventionAccepted, json={"reason": reason})


def redirect_callback(callback_id: str, url: str, reason: str = "") -> Call[m.InterventionAccepted]:
    path = f"/v1/callbacks/{callback_id}/redirect"
    return Call("POST", path, m.InterventionAccepted, json={"url": url, "reason": reason})


# --- recoveries --------------------------------------------------------------------------------


def start_recovery(body: m.RecoveryCreate) -> Call[m.RecoveryStarted]:
    return Call("POST", "/v1/recoveries", m.RecoveryStarted, json=_body(body))


def get_recovery(recovery_id: str) -> Call[m.RecoveryProgressPublic]:
    return Call("GET", f"/v1/recoveries/{recovery_id}", m.RecoveryProgressPublic)


def cancel_recovery(recovery_id: str) -> Call[m.RecoveryProgressPublic]:
    return Call("POST", f"/v1/recoveries/{recovery_id}/cancel", m.RecoveryProgressPublic)


# --- audit log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    tenant: str | None = None
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in "."
    resource: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit(
    filters: AuditFilters, cursor: str | None = None, limit: int = 50
) -> Call[m.Page[m.AuditEntryPublic]]:
    return _page("/v1/audit", m.AuditEntryPublic, cursor, limit, **asdict(filters))


# --- stats and health --------------------------------------------------------------------------


def get_stats(
    *,
    tenant: str | None = None,
    endpoint: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Call[m.QualityReportPublic]:
    params = {"tenant": tenant, "endpoint": endpoint, "since": since, "until": until}
    return Call("GET", "/v1/stats", m.QualityReportPublic, params=params)


def healthz() -> Call[dict[str, Any]]:
    return Call("GET", "/healthz", dict[str, Any])


def readyz() -> Call[dict[str, Any]]:
    return Call("GET", "/readyz", dict[str, Any])
