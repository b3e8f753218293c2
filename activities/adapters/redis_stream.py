"""Redis Streams: XADD of the same signed envelope, the signature headers as fields.

A target is a ``redis://`` or ``rediss://`` URL (user, password and database in the URL) and a
stream name. The entry's fields are the headers an HTTP receiver would get (``webhook-id``,
``webhook-timestamp``, ``webhook-signature``, ``content-type``, ...) and ``body``, the exact
signed bytes, so a consumer verifies it with any Standard Webhooks library.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import Connection, SSLConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError, ResponseError

from activities.adapters.base import Delivery, SendOutcome
from core.errors import TargetNotAllowed
from core.netguard import NetGuard

__all__ = ["RedisStreamAdapter", "stream_fields"]

_NO_FIELDS = {"host", "content-length", "transfer-encoding", "connection", "user-agent"}


def stream_fields(delivery: Delivery) -> dict[str, bytes]:
    """The entry XADD appends: the headers (lower-case names) and the signed body."""
    fields = {
        name.lower(): value.encode()
        for name, value in delivery.headers.items()
        if name.lower() not in _NO_FIELDS
    }
    fields["body"] = delivery.body
    return fields


class _Pinned:
    """Connects to the address the SSRF guard checked (TLS still names the host)."""

    guard: NetGuard
    host: str
    port: int
    _pinned: str | None = None

    async def _connect(self) -> None:
        addresses = await self.guard.resolve(self.host, self.port)
        self._pinned = addresses[0]
        await super()._connect()  # type: ignore[misc]

    def _connection_arguments(self) -> Any:
        arguments = dict(super()._connection_arguments())  # type: ignore[misc]
        if self._pinned is not None:
            arguments["host"] = self._pinned
            if "ssl" in arguments:
                arguments["server_hostname"] = self.host
        return arguments


class _GuardedConnection(_Pinned, Connection):
    def __init__(self, *, guard: NetGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard = guard


class _GuardedSSLConnection(_Pinned, SSLConnection):
    def __init__(self, *, guard: NetGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.guard = guard


class RedisStreamAdapter:
    """XADDs over a connection pool per Redis URL (the least recently used closed past
    ``max_pools``)."""

    def __init__(self, guard: NetGuard, *, max_connections: int, max_pools: int = 64) -> None:
        self._guard = guard
        self._max_connections = max_connections
        self._max_pools = max_pools
        self._clients: OrderedDict[str, Redis] = OrderedDict()

    def _client(self, url: str, timeout: float) -> Redis:
        client = self._clients.get(url)
        if client is not None:
            self._clients.move_to_end(url)
            return client
        secure = urlsplit(url).scheme == "rediss"
        pool = ConnectionPool.from_url(
            url,
            connection_class=_GuardedSSLConnection if secure else _GuardedConnection,
            guard=self._guard,
            max_connections=self._max_connections,
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
        )
        client = Redis(connection_pool=pool, retry=Retry(NoBackoff(), 0))  # Temporal retries
        self._clients[url] = client
        while len(self._clients) > self._max_pools:
            _, old = self._clients.popitem(last=False)
            asyncio.get_running_loop().create_task(old.aclose())
        return client

    async def send(self, delivery: Delivery) -> SendOutcome:
        started = time.perf_counter()
        if not delivery.stream:
            return SendOutcome(None, 0, "", "no stream configured", retryable=False)
        try:
            client = self._client(delivery.url, delivery.timeout_seconds)
            entry = await asyncio.wait_for(
                client.xadd(delivery.stream, stream_fields(delivery)),  # type: ignore[arg-type]
                delivery.timeout_seconds,
            )
        except TimeoutError:
            error = f"timeout after {delivery.timeout_seconds:g}s"
            return SendOutcome(None, _elapsed_ms(started), "", error)
        except (RedisError, OSError) as exc:
            return _failure(exc, started)
        entry_id = entry.decode() if isinstance(entry, bytes) else str(entry)
        return SendOutcome(None, _elapsed_ms(started), f"XADD {delivery.stream} {entry_id}", None)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def _failure(exc: Exception, started: float) -> SendOutcome:
    """A refused target and a key that is no stream are final; the rest may pass."""
    cause = exc.__cause__ if isinstance(exc.__cause__, TargetNotAllowed) else exc
    if isinstance(cause, TargetNotAllowed):
        return SendOutcome(None, _elapsed_ms(started), "", cause.message, retryable=False)
    wrong_type = isinstance(exc, ResponseError) and str(exc).startswith("WRONGTYPE")
    error = f"{type(exc).__name__}: {exc}"[:500]
    return SendOutcome(None, _elapsed_ms(started), "", error, retryable=not wrong_type)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
