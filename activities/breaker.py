"""The circuit breaker per endpoint, shared by every worker through the store: an open breaker
sends nothing (the callback waits in its workflow without spending an attempt), one probe
goes out when it half-opens, and the probe's outcome closes or re-opens it. Each transition is
decided under the endpoint's row lock, so it happens (and is told, through ``EndpointWatch``)
once however many workers race; an endpoint failing for too long is disabled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from activities.endpoint_watch import ENGINE, EndpointWatch
from core.breaker import BreakerPolicy, failing_too_long
from store.breaker import BreakerView, count_outcome, disable_endpoint, start_probe
from store.db import Database
from store.types import utcnow

__all__ = ["CircuitBreaker", "Gate"]


@dataclass(frozen=True)
class Gate:
    """The breaker's answer before a try."""

    retry_at: datetime | None = None  # set: send nothing, ask again then
    quiet: bool = False  # closed and nothing failed lately: a success need not be counted


class CircuitBreaker:
    def __init__(
        self, db: Database, policy: BreakerPolicy, watch: EndpointWatch | None = None
    ) -> None:
        self._db = db
        self._policy = policy
        self._open = timedelta(seconds=policy.open_seconds)
        self._watch = watch

    async def admit(self, endpoint_id: str, view: BreakerView) -> Gate:
        """Whether to send now, or when to ask again (the breaker is open, or another worker's
        probe is out), from ``view``, the breaker as read with the try's context; only an open
        breaker due for its probe is decided again, under the lock."""
        if self._watch is not None:
            self._watch.observed(endpoint_id, view.state)
        if view.state == "closed" or view.changed_at is None:
            return self.unasked(view)
        now = utcnow()
        if now < view.changed_at + self._open:
            return Gate(retry_at=view.changed_at + self._open)
        # open long enough (or a probe that never reported): decide under the lock
        async with self._db.session() as session:
            probe = await start_probe(
                session, endpoint_id=endpoint_id, now=now, open_for=self._open
            )
        if probe.transition is not None and self._watch is not None:
            await self._watch.transitioned(probe.transition)
        return Gate(retry_at=probe.retry_at)

    def unasked(self, view: BreakerView) -> Gate:
        """The gate of a try that does not ask the breaker (a manual try or a redirect): quiet
        when closed and nothing failed within the window, so a success writes nothing."""
        window = timedelta(seconds=self._policy.window_seconds)
        started = view.window_started_at
        active = started is not None and started > utcnow() - window
        closed = view.state == "closed" or view.changed_at is None
        return Gate(quiet=closed and not active and view.consecutive_failures == 0)

    async def record(self, endpoint_id: str, gate: Gate, *, failed: bool) -> None:
        """Counts a try's outcome; opens, closes or re-opens the breaker accordingly, and
        disables an endpoint whose tries have all failed for too long. A success while nothing
        failed lately writes nothing."""
        if gate.quiet and not failed:
            return
        now = utcnow()
        async with self._db.session() as session:
            counted = await count_outcome(
                session, endpoint_id=endpoint_id, failed=failed, now=now, policy=self._policy
            )
        if self._watch is None:
            return
        if counted.transition is not None:
            await self._watch.transitioned(counted.transition)
        if failing_too_long(self._policy, counted.failing_since, now):
            assert counted.failing_since is not None
            since = counted.failing_since.isoformat(timespec="seconds")
            reason = f"every try failed since {since} (no success for longer than allowed)"
            await self._watch.disable(endpoint_id, reason, cause="failing")

    async def disable(self, endpoint_id: str, reason: str, *, cause: str) -> bool:
        """Disables the endpoint as the engine (e.g. 410 Gone); see ``EndpointWatch.disable``."""
        if self._watch is None:
            async with self._db.session() as session:
                return await disable_endpoint(
                    session, endpoint_id=endpoint_id, reason=reason, by=ENGINE, now=utcnow()
                )
        return await self._watch.disable(endpoint_id, reason, cause=cause)
