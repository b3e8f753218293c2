"""The blocking client's resources on what flows: events, callbacks, recoveries, stats, audit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from client import models as m
from client import operations as ops
from client.config import FINAL_STATES
from client.sync_base import _Resource


class Events(_Resource):
    def send(
        self, event: ops.Event | dict[str, Any], *, idempotency_key: str | None = None
    ) -> m.EventAccepted:
        """Posts one event; retries reuse its Idempotency-Key, so it is accepted once."""
        return self._send(ops.send_event(ops.as_event(event), idempotency_key))

    def send_batch(self, events: list[ops.Event | dict[str, Any]]) -> m.BatchAccepted:
        return self._send(ops.send_batch([ops.as_event(e) for e in events]))


class Callbacks(_Resource):
    def list(
        self,
        *,
        tenant: str | None = None,
        endpoint: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> m.Page[m.CallbackPublic]:
        filters = ops.CallbackFilters(tenant, endpoint, status, event_type)
        return self._send(ops.list_callbacks(filters, cursor, limit))

    def iter(
        self,
        *,
        tenant: str | None = None,
        endpoint: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        limit: int = 100,
    ) -> Iterator[m.CallbackPublic]:
        filters = ops.CallbackFilters(tenant, endpoint, status, event_type)
        return self._client.pages(lambda cursor: ops.list_callbacks(filters, cursor, limit))

    def get(self, callback_id: str) -> m.CallbackDetail:
        """Stored status, the attempt log, the workflow's live status and its Web UI link."""
        return self._send(ops.get_callback(callback_id))

    def retry(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return self._send(ops.act_on_callback(callback_id, "retry", reason))

    def pause(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return self._send(ops.act_on_callback(callback_id, "pause", reason))

    def resume(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return self._send(ops.act_on_callback(callback_id, "resume", reason))

    def cancel(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return self._send(ops.act_on_callback(callback_id, "cancel", reason))

    def redirect(self, callback_id: str, url: str, reason: str = "") -> m.InterventionAccepted:
        return self._send(ops.redirect_callback(callback_id, url, reason))

    def follow(self, callback_id: str, *, interval: float = 0.5) -> Iterator[m.CallbackDetail]:
        """The callback after every poll, until it is delivered, dead-lettered or cancelled."""
        while True:
            detail = self.get(callback_id)
            yield detail
            if detail.status in FINAL_STATES:
                return
            time.sleep(interval)


class Recoveries(_Resource):
    def start(self, body: m.RecoveryCreate | None = None, /, **fields: Any) -> m.RecoveryStarted:
        """Retries every dead letter in scope; ``dry_run=True`` only counts them."""
        return self._send(ops.start_recovery(ops.as_model(m.RecoveryCreate, body, fields)))

    def get(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return self._send(ops.get_recovery(recovery_id))

    def cancel(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return self._send(ops.cancel_recovery(recovery_id))

    def follow(
        self, recovery_id: str, *, interval: float = 0.5
    ) -> Iterator[m.RecoveryProgressPublic]:
        """The progress after every poll, until the recovery is no longer running."""
        while True:
            progress = self.get(recovery_id)
            yield progress
            if progress.state != "running":
                return
            time.sleep(interval)


class Stats(_Resource):
    def get(self, **filters: Any) -> m.QualityReportPublic:
        """The quality report; filters: tenant, endpoint, since, until (datetimes)."""
        return self._send(ops.get_stats(**filters))


class Audit(_Resource):
    """The audit log, newest first. Filters: tenant, actor, action (exact, or a prefix ending
    in "."), resource, since, until."""

    def list(
        self, *, cursor: str | None = None, limit: int = 50, **filters: Any
    ) -> m.Page[m.AuditEntryPublic]:
        return self._send(ops.list_audit(ops.AuditFilters(**filters), cursor, limit))

    def iter(self, *, limit: int = 100, **filters: Any) -> Iterator[m.AuditEntryPublic]:
        chosen = ops.AuditFilters(**filters)
        return self._client.pages(lambda cursor: ops.list_audit(chosen, cursor, limit))
