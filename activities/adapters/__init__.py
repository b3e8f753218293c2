"""Protocol adapters: how one signed callback reaches a target (HTTP/HTTPS, Redis Streams).

A new protocol is one module with a class that has ``send(Delivery) -> SendOutcome`` and
``aclose()`` (see ``base.Adapter``), and one line in ``build_adapters``.
"""

from __future__ import annotations

from activities.adapters.base import Adapter, Delivery, SendOutcome, TlsConfig
from activities.adapters.http import HttpAdapter
from activities.adapters.redis_stream import RedisStreamAdapter
from core.netguard import NetGuard
from core.settings import Settings

__all__ = ["Adapter", "Delivery", "SendOutcome", "TlsConfig", "build_adapters"]


def build_adapters(settings: Settings, guard: NetGuard) -> dict[str, Adapter]:
    """The adapter of every endpoint protocol; all connect through ``guard``."""
    http = HttpAdapter(
        guard,
        excerpt_bytes=settings.response_excerpt_bytes,
        max_connections=settings.http_max_connections,
    )
    return {
        "http": http,
        "https": http,
        "redis_stream": RedisStreamAdapter(guard, max_connections=settings.http_max_connections),
    }
