"""Protocol adapters: how one signed callback reaches a target (HTTP/HTTPS, Redis Streams).

A new protocol is one module with a class that has ``send(Delivery) -> SendOutcome`` and
``aclose()`` (see ``base.Adapter``), and one line in ``build_adapters``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from activities.adapters.base import Adapter, Delivery, SendOutcome, TlsConfig
from activities.adapters.http import HttpAdapter
from activities.adapters.redis_stream import RedisStreamAdapter
from core.netguard import NetGuard
from core.settings import Settings

__all__ = ["Adapter", "Delivery", "SendOutcome", "TlsConfig", "build_adapters", "open_adapters"]


def build_adapters(settings: Settings, guard: NetGuard) -> dict[str, Adapter]:
    """The adapter of every endpoint protocol; all connect through ``guard``."""
    http = HttpAdapter(
        guard,
        excerpt_bytes=settings.response_excerpt_bytes,
        max_connections=settings.http_max_connections,
        keepalive_seconds=settings.http_keepalive_seconds,
    )
    return {
        "http": http,
        "https": http,
        "redis_stream": RedisStreamAdapter(guard, max_connections=settings.http_max_connections),
    }


@asynccontextmanager
async def open_adapters(settings: Settings) -> AsyncIterator[dict[str, Adapter]]:
    """The adapters with the guard of ``settings``; their pools are closed at the end."""
    adapters = build_adapters(settings, NetGuard(settings.allowed_target_networks))
    try:
        yield adapters
    finally:
        for adapter in {id(a): a for a in adapters.values()}.values():
            await adapter.aclose()
