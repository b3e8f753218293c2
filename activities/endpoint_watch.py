"""What the delivery engine tells about an endpoint's health: each circuit breaker transition
as an operational event (``endpoint.circuit_*``) and a metric, and the engine disabling an
endpoint (410 Gone at once; failing for too long) with its revision, audit entry and
``endpoint.disabled``. The transition rows are an outbox: marked once their event is handed
over, and the unmarked ones told again by ``tell_untold`` (the alerts evaluation's sweep)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from core.errors import Conflict, GoutongError
from core.ids import split_id
from runtime.metrics import Metrics
from store.audit import record_audit
from store.breaker import disable_endpoint, mark_handed_over, untold_transitions
from store.db import Database
from store.delivery_models import BreakerTransition
from store.endpoint_models import Endpoint
from store.revisions import record_revision
from store.types import utcnow

if TYPE_CHECKING:  # runtime.callbacks imports the workflows, which import the activities
    from runtime.callbacks import CallbackControl

__all__ = [
    "ENGINE",
    "TELL_AGAIN_AFTER",
    "EndpointWatch",
    "SystemActor",
    "transition_event_id",
    "transition_event_type",
]

log = logging.getLogger(__name__)
ENGINE = "delivery-engine"
_EVENT_TYPES = {
    "open": "endpoint.circuit_opened",
    "half_open": "endpoint.circuit_half_opened",
    "closed": "endpoint.circuit_closed",
}


# An untold transition older than this is told again by the sweep (the alerts evaluator's).
TELL_AGAIN_AFTER = timedelta(minutes=1)


def transition_event_type(to_state: str) -> str:
    return _EVENT_TYPES[to_state]


def transition_event_id(transition_id: str) -> str:
    """The id of a transition's operational event (``brk_X`` -> ``evt_X``): the same whoever
    tells it, so each callback of it has one webhook-id however often it is told."""
    return f"evt_{split_id(transition_id)[1]}"


@dataclass(frozen=True)
class SystemActor:
    """The engine as an audit log actor."""

    subject: str = ENGINE
    method: str = "system"
    role: str = "system"
    address: str | None = None


class EndpointWatch:
    def __init__(
        self, db: Database, metrics: Metrics, control: CallbackControl | None = None
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._control = control

    def observed(self, endpoint_id: str, state: str) -> None:
        self._metrics.breaker_state.labels(endpoint_id).state(state)

    async def transitioned(self, transition: BreakerTransition) -> None:
        """Counts the transition and tells the tenant's operations endpoints (``tell``)."""
        self._metrics.breaker_transitions.labels(transition.from_state, transition.to_state).inc()
        self.observed(transition.endpoint_id, transition.to_state)
        log.warning(
            "circuit of %s %s (was %s): %s",
            transition.endpoint_id,
            transition.to_state,
            transition.from_state,
            transition.reason,
        )
        await self.tell(transition)

    async def tell(self, transition: BreakerTransition) -> bool:
        """Hands the transition's ``endpoint.circuit_*`` event over (stored and its callbacks
        started) and marks the row as handed over; False if that failed (Temporal unreachable):
        the row stays unmarked and ``tell_untold`` tells it again. The event's id comes from
        the transition's, so a told-again event has the webhook-ids the lost one would have."""
        if self._control is None:
            return False
        from runtime.operational import emit_operational_event  # import cycle, see the top

        event_type = transition_event_type(transition.to_state)
        async with self._db.session() as session:
            endpoint = await session.get(Endpoint, transition.endpoint_id)
            if endpoint is not None:  # an endpoint deleted since has nobody left to tell
                try:
                    await emit_operational_event(
                        session,
                        self._control,
                        tenant_id=endpoint.tenant_id,
                        event_type=event_type,
                        key=f"{event_type}/{transition.id}",
                        message_id=endpoint.id,
                        data=_event_data(endpoint, transition),
                        event_id=transition_event_id(transition.id),
                    )
                except GoutongError as exc:
                    if not _stored_before(exc):
                        log.warning("could not emit %s for %s: %s", event_type, endpoint.id, exc)
                        return False
                    await session.rollback()
            try:
                await mark_handed_over(session, transition_id=transition.id, now=utcnow())
            except Exception as exc:  # handed over all the same; the sweep's retry is a duplicate
                log.warning("could not mark transition %s handed over: %s", transition.id, exc)
        return True

    async def tell_untold(self, *, older_than: timedelta = TELL_AGAIN_AFTER) -> int:
        """The outbox sweep: tells the transitions made more than ``older_than`` ago whose event
        was never handed over (the worker died between the commit and the hand-over, or
        Temporal was unreachable); how many were handed over now. A duplicate of one that was
        handed over but not marked is answered from the stored event (same key and id)."""
        if self._control is None:
            return 0
        async with self._db.session() as session:
            untold = await untold_transitions(session, before=utcnow() - older_than)
        told = 0
        for transition in untold:
            log.warning(
                "telling circuit transition %s of %s again (%s at %s, never handed over)",
                transition.id,
                transition.endpoint_id,
                transition.to_state,
                transition.at.isoformat(),
            )
            try:
                handed_over = await self.tell(transition)
            except Exception as exc:
                log.warning("could not tell transition %s again: %s", transition.id, exc)
                handed_over = False
            if not handed_over:  # Temporal or the store is likely away: the next sweep goes on
                break
            told += 1
        return told

    async def disable(self, endpoint_id: str, reason: str, *, cause: str) -> bool:
        """Disables the endpoint as the engine (``cause``: gone, failing): a revision, an audit
        entry by the system and ``endpoint.disabled``; False if it was disabled already."""
        now = datetime.now(UTC)
        async with self._db.session() as session:
            disabled = await disable_endpoint(
                session, endpoint_id=endpoint_id, reason=reason, by=ENGINE, now=now
            )
            if not disabled:
                return False
            self._metrics.endpoints_disabled.labels(cause).inc()
            log.warning("endpoint %s disabled: %s", endpoint_id, reason)
            endpoint = await session.get(Endpoint, endpoint_id, populate_existing=True)
            try:
                await record_revision(
                    session, endpoint_id=endpoint_id, action="auto_disable", actor=ENGINE
                )
                await record_audit(
                    session,
                    actor=SystemActor(),
                    action="endpoint.auto_disable",
                    resource=endpoint_id,
                    tenant_id=endpoint.tenant_id if endpoint else None,
                    summary={"reason": reason, "cause": cause},
                )
            except Exception as exc:  # the endpoint is disabled either way
                log.warning("no revision or audit entry for disabling %s: %s", endpoint_id, exc)
        if self._control is not None:
            from runtime.operational import endpoint_switched  # import cycle, see the top

            async with self._db.session() as session:
                endpoint = await session.get(Endpoint, endpoint_id)
                if endpoint is not None:
                    await endpoint_switched(session, self._control, endpoint, actor=ENGINE)
        return True


def _stored_before(exc: GoutongError) -> bool:
    """The event's key was used with other data: it was stored by an earlier hand-over (whose
    worker died before marking it) while the endpoint had another name or switch."""
    return isinstance(exc, Conflict) and exc.code == "idempotency_key_reused"


def _event_data(endpoint: Endpoint, transition: BreakerTransition) -> dict[str, object]:
    return {
        "endpoint_id": endpoint.id,
        "name": endpoint.name,
        "enabled": endpoint.enabled,
        "transition_id": transition.id,
        "from_state": transition.from_state,
        "to_state": transition.to_state,
        "reason": transition.reason,
        "window_requests": transition.window_requests,
        "window_failures": transition.window_failures,
        "consecutive_failures": transition.consecutive_failures,
        "by": ENGINE,
        "at": transition.at.isoformat(),
    }
