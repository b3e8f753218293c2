"""The circuit breaker per endpoint, shared by every worker through the store: an open breaker
sends nothing (the callback waits in its workflow without spending an attempt), one probe
goes out when it half-opens, and the probe's outcome closes or re-opens it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.breaker import BreakerPolicy, should_open
from store.breaker import breaker_of, count_outcome, move_breaker
from store.db import Database
from store.types import utcnow

__all__ = ["CircuitBreaker", "Gate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gate:
    """The breaker's answer before a try."""

    retry_at: datetime | None = None  # set: send nothing, ask again then
    quiet: bool = False  # closed and nothing failed lately: a success need not be counted


class CircuitBreaker:
    def __init__(self, db: Database, policy: BreakerPolicy) -> None:
        self._db = db
        self._policy = policy
        self._open = timedelta(seconds=policy.open_seconds)

    async def admit(self, endpoint_id: str) -> Gate:
        """Whether to send now, or when to ask again (the breaker is open, or another worker's
        probe is out)."""
        now = utcnow()
        async with self._db.session() as session:
            view = await breaker_of(session, endpoint_id=endpoint_id)
            window = timedelta(seconds=self._policy.window_seconds)
            active = view.window_started_at is not None and view.window_started_at > now - window
            if view.state == "closed" or view.changed_at is None:
                return Gate(quiet=not active and view.consecutive_failures == 0)
            if now < view.changed_at + self._open:
                return Gate(retry_at=view.changed_at + self._open)
            # open long enough (or a probe that never reported): this worker probes
            if await move_breaker(
                session,
                endpoint_id=endpoint_id,
                to="half_open",
                now=now,
                when_state=view.state,
                changed_before=now - self._open,
            ):
                log.warning("circuit of %s half-open: probing", endpoint_id)
                return Gate()
        return Gate(retry_at=now + self._open)

    async def record(self, endpoint_id: str, gate: Gate, *, failed: bool) -> None:
        """Counts a try's outcome; opens, closes or re-opens the breaker accordingly. A success
        while nothing failed lately writes nothing."""
        if gate.quiet and not failed:
            return
        now = utcnow()
        window = timedelta(seconds=self._policy.window_seconds)
        async with self._db.session() as session:
            state, _, requests, failures, consecutive = await count_outcome(
                session, endpoint_id=endpoint_id, failed=failed, now=now, window=window
            )
            if state == "half_open":
                to = "open" if failed else "closed"
            elif state == "closed" and should_open(self._policy, requests, failures, consecutive):
                to = "open"
            else:
                return
            if await move_breaker(
                session, endpoint_id=endpoint_id, to=to, now=now, when_state=state
            ):
                log.warning("circuit of %s %s (was %s)", endpoint_id, to, state)
