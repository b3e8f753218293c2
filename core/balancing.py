"""Load balancing across an endpoint's targets: pure, deterministic choices.

Every function gets the state it needs as arguments (a per-endpoint sequence number, in-flight
counts, the hash key of the event, which targets are healthy) and returns an index; the state
itself lives in the store, shared by all worker processes (see docs/architecture.md).
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "STRATEGIES",
    "Candidate",
    "HashRing",
    "choose",
    "least_connections",
    "round_robin",
    "smooth_weighted",
]

STRATEGIES = ("round_robin", "weighted_round_robin", "least_connections", "consistent_hash")
VIRTUAL_NODES = 160  # ring points per unit of weight: keys spread within a few percent
MAX_RING_WEIGHT = 25  # heavier targets get the points of 25 (bounds the ring: <= 80,000 points)


@dataclass(frozen=True)
class Candidate:
    """One target as the balancer sees it."""

    key: str  # stable identity (the URL, plus the stream for a queue)
    weight: int = 1
    healthy: bool = True
    in_flight: int = 0


def round_robin(count: int, sequence: int) -> int:
    """The ``sequence``-th pick of plain round robin over ``count`` targets."""
    return sequence % count


@lru_cache(maxsize=256)
def _smooth_schedule(weights: tuple[int, ...]) -> tuple[int, ...]:
    """One period (sum of weights picks) of nginx's smooth weighted round robin."""
    current = [0] * len(weights)
    total = sum(weights)
    picks = []
    for _ in range(total):
        for i, weight in enumerate(weights):
            current[i] += weight
        best = max(range(len(weights)), key=lambda i: (current[i], -i))
        current[best] -= total
        picks.append(best)
    return tuple(picks)


def smooth_weighted(weights: Sequence[int], sequence: int) -> int:
    """The ``sequence``-th pick of smooth weighted round robin: each period of sum(weights)
    picks gives every target exactly its weight, interleaved (3,1 -> a a b a, not a a a b)."""
    clean = tuple(max(1, int(w)) for w in weights)
    schedule = _smooth_schedule(clean)
    return schedule[sequence % len(schedule)]


def least_connections(in_flight: Sequence[int], weights: Sequence[int], sequence: int) -> int:
    """The target with the fewest in-flight deliveries per unit of weight; ties go round robin
    (starting at ``sequence``) so equal targets share the load."""
    count = len(in_flight)
    order = [(sequence + offset) % count for offset in range(count)]
    return min(order, key=lambda i: in_flight[i] / max(1, weights[i]))


def _point(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _points_of(key: str, weight: int) -> list[int]:
    """A target's ring points: 4 per digest (as Ketama does), ``VIRTUAL_NODES`` per unit of
    weight, weight counted up to ``MAX_RING_WEIGHT``; they depend on this target alone."""
    points = []
    for replica in range(VIRTUAL_NODES * min(max(1, weight), MAX_RING_WEIGHT) // 4):
        digest = hashlib.sha256(f"{key}#{replica}".encode()).digest()
        points += [int.from_bytes(digest[i : i + 8], "big") for i in range(0, 32, 8)]
    return points


class HashRing:
    """A consistent-hash ring with virtual nodes (``VIRTUAL_NODES`` per unit of weight).

    A target's points depend on its key alone, so removing a target moves only the hash keys
    that were on it; skipping an unhealthy target moves only its keys, to the next one.
    """

    def __init__(self, targets: Sequence[tuple[str, int]]) -> None:
        points = sorted(
            (point, key) for key, weight in targets for point in _points_of(key, weight)
        )
        self._hashes = [h for h, _ in points]
        self._keys = [k for _, k in points]

    def lookup(self, hash_key: str, usable: frozenset[str] | None = None) -> str:
        """The first target at or after ``hash_key``'s point that is ``usable`` (None: any)."""
        if not self._keys:
            raise ValueError("empty ring")
        start = bisect.bisect_left(self._hashes, _point(hash_key))
        for offset in range(len(self._keys)):
            key = self._keys[(start + offset) % len(self._keys)]
            if usable is None or key in usable:
                return key
        raise ValueError("no usable target on the ring")


@lru_cache(maxsize=256)
def _ring(targets: tuple[tuple[str, int], ...]) -> HashRing:
    return HashRing(targets)


def choose(
    strategy: str, candidates: Sequence[Candidate], *, sequence: int = 0, hash_key: str = ""
) -> int:
    """The index of the target to try next among the healthy ``candidates`` (among all of them
    when none is healthy: a try still beats sending nothing)."""
    if not candidates:
        raise ValueError("no targets")
    pool = [i for i, c in enumerate(candidates) if c.healthy] or list(range(len(candidates)))
    if strategy == "consistent_hash":
        ring = _ring(tuple((c.key, c.weight) for c in candidates))
        usable = frozenset(candidates[i].key for i in pool)
        chosen = ring.lookup(hash_key, usable)
        return next(i for i in pool if candidates[i].key == chosen)
    if strategy == "weighted_round_robin":
        return pool[smooth_weighted([candidates[i].weight for i in pool], sequence)]
    if strategy == "least_connections":
        flights = [candidates[i].in_flight for i in pool]
        return pool[least_connections(flights, [candidates[i].weight for i in pool], sequence)]
    if strategy == "round_robin":
        return pool[round_robin(len(pool), sequence)]
    raise ValueError(f"unknown balancing strategy {strategy!r}")
