"""Per-endpoint rate limit across every worker: a token bucket in the store that reserves the
next slot, so a throttled callback waits once, for its own slot, without spending an
attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.delivery_contracts import RateLimitSpec
from store.db import Database
from store.limits import take_rate_slot
from store.types import utcnow

__all__ = ["RateLimiter"]

_NOW = timedelta(milliseconds=20)  # a slot this close is now


class RateLimiter:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def slot(self, endpoint_id: str, limit: RateLimitSpec) -> datetime | None:
        """None: send now; otherwise the reserved slot to send at."""
        now = utcnow()
        async with self._db.session() as session:
            at = await take_rate_slot(
                session,
                endpoint_id=endpoint_id,
                per_second=limit.per_second,
                burst=max(1, limit.burst),
                now=now,
            )
        return None if at - now <= _NOW else at
