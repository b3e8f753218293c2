"""Each endpoint's share of this worker process's delivery slots: a dead or slow endpoint whose
tries hang until their timeout may hold at most ``share`` of the first-try (local activity)
slots, and as much of the retry slots, so healthy endpoints always find free ones
(docs/architecture.md, isolation). A try over the share is deferred without spending an
attempt, like one over the endpoint's own concurrency limit."""

from __future__ import annotations

from collections import Counter

from core.settings import Settings

__all__ = ["SlotShare"]


class SlotShare:
    """In-flight tries per (kind, endpoint) in this process; kind "local" or "retry"."""

    def __init__(self, limits: dict[str, int]) -> None:
        self._limits = limits  # no entry: no cap for that kind
        self._in_flight: Counter[tuple[str, str]] = Counter()

    @classmethod
    def from_settings(cls, settings: Settings) -> SlotShare:
        share = settings.endpoint_slot_share
        if share <= 0:
            return cls({})
        queue = settings.retry_isolation == "queue"  # else retries share the main slots
        slots = {
            "local": settings.max_concurrent_local_activities,
            "retry": (
                settings.retry_max_concurrent_activities
                if queue
                else settings.max_concurrent_activities
            ),
        }
        return cls({kind: max(1, int(n * share)) for kind, n in slots.items()})

    def take(self, kind: str, endpoint_id: str) -> bool:
        """True (and counted) when the endpoint has room; False: defer the try."""
        limit = self._limits.get(kind)
        key = (kind, endpoint_id)
        if limit is not None and self._in_flight[key] >= limit:
            return False
        self._in_flight[key] += 1
        return True

    def release(self, kind: str, endpoint_id: str) -> None:
        key = (kind, endpoint_id)
        self._in_flight[key] -= 1
        if self._in_flight[key] <= 0:
            del self._in_flight[key]

    def in_flight(self, kind: str, endpoint_id: str) -> int:
        return self._in_flight[(kind, endpoint_id)]
