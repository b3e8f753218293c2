"""Routing: which endpoints an event goes to (event-type patterns and channel filters)."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

__all__ = ["EVENT_TYPE_PATTERN", "endpoint_matches", "is_operational", "type_matches"]

EVENT_TYPE_PATTERN = re.compile(r"^[a-z0-9_\-]+(\.([a-z0-9_\-]+|\*))*$|^\*$")


def type_matches(patterns: list[str], event_type: str) -> bool:
    """Empty means all; ``message.status.*`` matches every status type."""
    return not patterns or any(fnmatchcase(event_type, p) for p in patterns)


def is_operational(event_type: str) -> bool:
    """Operational events (``callback.*``, ``endpoint.*``) are about the service, not messages."""
    return event_type.startswith(("callback.", "endpoint."))


def endpoint_matches(
    type_patterns: list[str], channels: list[str], event_type: str, channel: str | None
) -> bool:
    """An event passes when its type matches and, if channels are listed, its channel is one.

    Operational events go only to endpoints that name them (``callback.*`` or the exact type):
    an endpoint with no type filter, or ``*``, gets message events only.
    """
    if is_operational(event_type):
        named = [p for p in type_patterns if p != "*"]
        return bool(named) and type_matches(named, event_type)
    if not type_matches(type_patterns, event_type):
        return False
    return not channels or (channel is not None and channel in channels)
