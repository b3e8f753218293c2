"""The store work of a worker's concurrent delivery tries, done in shared queries and
transactions (store.grouping): the contexts they read and the attempts they record."""

from __future__ import annotations

import logging
from datetime import datetime

from store.callbacks import (
    AttemptRecord,
    DeliveryContext,
    callback_not_found,
    load_delivery_contexts,
    record_attempts,
)
from store.db import Database
from store.event_models import Attempt
from store.grouping import Grouped

__all__ = ["DeliveryBatches"]

log = logging.getLogger(__name__)


class DeliveryBatches:
    """One worker's delivery reads and writes, grouped: a try alone is one query and one
    transaction as before; under load one SELECT loads the contexts of every try that waited,
    and one transaction records their attempts (~10x less store CPU per try at 16 a group,
    docs/performance.md). Each try still waits until its own write committed."""

    def __init__(self, db: Database, max_group: int = 64) -> None:
        self._db = db
        self._contexts: Grouped[str, DeliveryContext] = Grouped(self._load, max_group)
        self._attempts: Grouped[AttemptRecord, None] = Grouped(self._record, max_group)

    async def context(self, callback_id: str) -> DeliveryContext:
        """The callback with its event, endpoint and breaker; NotFound when it is gone."""
        return await self._contexts.submit(callback_id)

    async def record(
        self, attempt: Attempt, *, status: str, next_attempt_at: datetime | None
    ) -> None:
        """Appends the attempt and moves the callback's summary; NotFound when it is gone."""
        await self._attempts.submit(AttemptRecord(attempt, status, next_attempt_at))

    @property
    def groups(self) -> int:
        """Store round trips made so far, reads and writes (tests, figures)."""
        return self._contexts.groups + self._attempts.groups

    async def _load(self, callback_ids: list[str]) -> list[DeliveryContext | Exception]:
        async with self._db.session() as session:
            found = await load_delivery_contexts(session, callback_ids=callback_ids)
        return [found[callback_id] for callback_id in callback_ids]

    async def _record(self, records: list[AttemptRecord]) -> list[Exception | None]:
        try:
            async with self._db.session() as session:
                missing = await record_attempts(session, records)
        except Exception as exc:  # e.g. a lock timeout: each on its own, each its own answer
            if len(records) == 1:
                return [exc]
            log.warning("recording %d attempts together failed (%s)", len(records), exc)
            return [(await self._record([record]))[0] for record in records]
        return [
            callback_not_found(record.attempt.callback_id)
            if record.attempt.callback_id in missing
            else None
            for record in records
        ]
