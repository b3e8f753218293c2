"""Store activities the workflow calls when its state changes."""

from __future__ import annotations

from temporalio import activity

from core.callback_contracts import RecordAck, StatusRecord
from runtime.metrics import Metrics
from store.callbacks import set_callback_status
from store.db import Database

__all__ = ["RecordActivities"]


class RecordActivities:
    def __init__(self, db: Database, metrics: Metrics) -> None:
        self._db = db
        self._metrics = metrics

    @activity.defn(name="record_status")
    async def record_status(self, record: StatusRecord) -> RecordAck:
        """Writes a callback's new state (paused, dead_lettered, cancelled, ...) to the store."""
        async with self._db.session() as session:
            await set_callback_status(
                session,
                callback_id=record.callback_id,
                status=record.state,
                attempts=record.attempts,
                last_error=record.last_error,
            )
        if record.state in ("dead_lettered", "cancelled"):
            self._metrics.outcomes.labels(record.state).inc()
        return RecordAck(callback_id=record.callback_id)
