"""The asyncio client's resources on what flows: events, callbacks, recoveries, stats, audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from client import models as m
from client import operations as ops
from client.aio_base import _Resource
from client.config import FINAL_STATES


class Events(_Resource):
    async def send(
        self, event: ops.Event | dict[str, Any], *, idempotency_key: str | None = None
    ) -> m.EventAccepted:
        """Posts one event; retries reuse its Idempotency-Key, so it is accepted once."""
        return await self._send(ops.send_event(ops.as_event(event), idempotency_key))

    async def send_batch(self, events: list[ops.Event | dict[str, Any]]) -> m.BatchAccepted:
        return await self._send(ops.send_batch([ops.as_event(e) for e in events]))


class Callbacks(_Resource):
    async def list(
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
        return await self._send(ops.list_callbacks(filters, cursor, limit))

    def iter(
        self,
        *,
        tenant: str | None = None,
        endpoint: str | None = None,
        status: str | None = None,
        event_type: str | None = None,
        limit: int = 100,
    ) -> AsyncIterator[m.CallbackPublic]:
        filters = ops.CallbackFilters(tenant, endpoint, status, event_type)
        return self._client.pages(lambda cursor: ops.list_callbacks(filters, cursor, limit))

    async def get(self, callback_id: str) -> m.CallbackDetail:
        """Stored status, the attempt log, the workflow's live status and its Web UI link."""
        return await self._send(ops.get_callback(callback_id))

    async def retry(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "retry", reason))

    async def pause(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "pause", reason))

    async def resume(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "resume", reason))

    async def cancel(self, callback_id: str, reason: str = "") -> m.InterventionAccepted:
        return await self._send(ops.act_on_callback(callback_id, "cancel", reason))

    async def redirect(
        self, callback_id: str, url: str, reason: str = ""
    ) -> m.InterventionAccepted:
        return await self._send(ops.redirect_callback(callback_id, url, reason))

    async def follow(
        self, callback_id: str, *, interval: float = 0.5
    ) -> AsyncIterator[m.CallbackDetail]:
        """The callback after every poll, until it is delivered, dead-lettered or cancelled."""
        while True:
            detail = await self.get(callback_id)
            yield detail
            if detail.status in FINAL_STATES:
                return
            await asyncio.sleep(interval)


class Recoveries(_Resource):
    async def start(
        self, body: m.RecoveryCreate | None = None, /, **fields: Any
    ) -> m.RecoveryStarted:
        """Retries every dead letter in scope; ``dry_run=True`` only counts them."""
        return await self._send(ops.start_recovery(ops.as_model(m.RecoveryCreate, body, fields)))

    async def get(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return await self._send(ops.get_recovery(recovery_id))

    async def cancel(self, recovery_id: str) -> m.RecoveryProgressPublic:
        return await self._send(ops.cancel_recovery(recovery_id))

    async def follow(
        self, recovery_id: str, *, interval: float = 0.5
    ) -> AsyncIterator[m.RecoveryProgressPublic]:
        """The progress after every poll, until the recovery is no longer running."""
        while True:
            progress = await self.get(recovery_id)
            yield progress
            if progress.state != "running":
                return
            await asyncio.sleep(interval)


class Stats(_Resource):
    async def get(self, **filters: Any) -> m.QualityReportPublic:
        """The quality report; filters: tenant, endpoint, since, until (datetimes)."""
        return await self._send(ops.get_stats(**filters))


class Audit(_Resource):
    """The audit log, newest first. Filters: tenant, actor, action (exact, or a prefix ending
    in "."), resource, since, until."""

    async def list(
        self, *, cursor: str | None = None, limit: int = 50, **filters: Any
    ) -> m.Page[m.AuditEntryPublic]:
        return await self._send(ops.list_audit(ops.AuditFilters(**filters), cursor, limit))

    def iter(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[m.AuditEntryPublic]:
        chosen = ops.AuditFilters(**filters)
        return self._client.pages(lambda cursor: ops.list_audit(chosen, cursor, limit))
