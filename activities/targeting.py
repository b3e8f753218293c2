"""Which target of an endpoint a try goes to, and what its outcome tells the other workers:
a connect error, timeout or 5xx takes the target out of rotation for a cool-down."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from activities.sender import SendOutcome
from core.balancing import Candidate, choose
from runtime.metrics import Metrics
from store.db import Database
from store.delivery_state import (
    acquire_lease,
    clear_target_failures,
    in_flight_by_target,
    mark_target_failed,
    next_sequence,
    release_lease,
    unhealthy_targets,
)
from store.limits import take_lease_if_below
from store.types import utcnow

__all__ = [
    "Picked",
    "TargetLike",
    "TargetPicker",
    "hash_key_of",
    "is_target_fault",
    "shown_url",
    "target_key",
]


class TargetLike(Protocol):
    url: str
    weight: int
    stream: str | None


def target_key(target: TargetLike) -> str:
    """A target's stable identity (balancing ring, health and leases)."""
    return hashlib.sha256(f"{target.url}\0{target.stream or ''}".encode()).hexdigest()[:32]


def shown_url(url: str, stream: str | None) -> str:
    """A target as logs, metrics and the attempt log show it: no credentials, the stream."""
    parts = urlsplit(url)
    shown = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))
    return f"{shown}#{stream}" if stream else shown


def hash_key_of(envelope: dict[str, Any], path: str) -> str:
    """The consistent-hash key: a dotted path into the envelope (``message_id``,
    ``data.recipient``); the message id when the path leads nowhere."""
    value: Any = envelope
    path = {"event_type": "type"}.get(path, path)
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or isinstance(value, dict | list):
        return str(envelope.get("message_id", ""))
    return str(value)


def is_target_fault(outcome: SendOutcome) -> bool:
    """A connect error, a timeout or a 5xx: the target, not the callback, is the problem."""
    if outcome.ok:
        return False
    if outcome.status_code is None:
        return outcome.retryable
    return outcome.status_code >= 500


T = TypeVar("T", bound=TargetLike)


@dataclass
class Picked(Generic[T]):
    target: T
    key: str
    was_unhealthy: bool = False
    lease_id: str | None = None


class TargetPicker:
    """Chooses per try with core.balancing over state shared in the store; an endpoint with a
    single target costs no store access."""

    def __init__(
        self,
        db: Database,
        *,
        cooldown: timedelta,
        lease_ttl: timedelta,
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._cooldown = cooldown
        self._lease_ttl = lease_ttl
        self._metrics = metrics

    async def pick(
        self,
        *,
        endpoint_id: str,
        strategy: str,
        targets: Sequence[T],
        hash_key: str,
        max_in_flight: int | None = None,
    ) -> Picked[T] | None:
        """The target for this try; None when ``max_in_flight`` deliveries are in flight."""
        if len(targets) == 1 and max_in_flight is None:
            return Picked(targets[0], target_key(targets[0]))
        keys = [target_key(t) for t in targets]
        now = utcnow()
        async with self._db.session() as session:
            sick = await unhealthy_targets(session, endpoint_id=endpoint_id, now=now)
            flights: dict[str, int] = {}
            if strategy == "least_connections":
                flights = await in_flight_by_target(session, endpoint_id=endpoint_id, now=now)
            sequence = 0
            if strategy != "consistent_hash" and len(targets) > 1:
                sequence = await next_sequence(session, endpoint_id=endpoint_id)
            candidates = [
                Candidate(key, t.weight, key not in sick, flights.get(key, 0))
                for key, t in zip(keys, targets, strict=True)
            ]
            index = choose(strategy, candidates, sequence=sequence, hash_key=hash_key)
            picked = Picked(targets[index], keys[index], was_unhealthy=keys[index] in sick)
            if max_in_flight is not None:
                picked.lease_id = await take_lease_if_below(
                    session,
                    endpoint_id=endpoint_id,
                    limit=max_in_flight,
                    target=picked.key,
                    ttl=self._lease_ttl,
                    now=utcnow(),
                )
                if picked.lease_id is None:
                    return None
            elif strategy == "least_connections":
                picked.lease_id = await acquire_lease(
                    session, endpoint_id=endpoint_id, target=picked.key, ttl=self._lease_ttl
                )
        return picked

    async def finish(
        self, picked: Picked[Any], *, endpoint_id: str, single: bool, outcome: SendOutcome
    ) -> None:
        """Releases the lease and shares what the outcome says about the target."""
        if single and picked.lease_id is None:
            return
        async with self._db.session() as session:
            if picked.lease_id is not None:
                await release_lease(session, lease_id=picked.lease_id)
            if single:
                return
            if is_target_fault(outcome):
                await mark_target_failed(
                    session,
                    endpoint_id=endpoint_id,
                    target=picked.key,
                    url=picked.target.url,
                    until=utcnow() + self._cooldown,
                    error=outcome.error or "failed",
                )
                self._healthy(endpoint_id, picked.target, False)
            elif outcome.ok and picked.was_unhealthy:
                await clear_target_failures(session, endpoint_id=endpoint_id, target=picked.key)
                self._healthy(endpoint_id, picked.target, True)

    def _healthy(self, endpoint_id: str, target: TargetLike, healthy: bool) -> None:
        if self._metrics is not None:
            shown = shown_url(target.url, target.stream)
            self._metrics.target_healthy.labels(endpoint_id, shown).set(1 if healthy else 0)
