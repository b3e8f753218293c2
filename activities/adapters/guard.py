"""Connections that go only where the SSRF guard allows: resolve, check, then connect to the
checked address (so a DNS answer that changes between the check and the connect cannot
smuggle a private address in)."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from core.netguard import NetGuard

__all__ = ["GuardedBackend", "guarded_transport"]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects to checked addresses only."""

    def __init__(self, guard: NetGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.resolve(host, port)
        except (OSError, TimeoutError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        error: Exception | None = None
        for address in addresses:  # TLS still names ``host`` (SNI and certificate check)
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are no callback target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The default trust store's client context, built once per process on first use and
    shared by every pool that adds nothing to it (no custom CA, no client certificate); httpcore
    sets the same ALPN (http/1.1) on it for every connection."""
    return httpx.create_ssl_context(trust_env=False)


def guarded_transport(
    guard: NetGuard, *, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connection pool connects through ``GuardedBackend``."""
    context = ssl_context or default_ssl_context()
    # given the context, httpx builds none of its own (loading the CA store costs ~10 ms)
    transport = httpx.AsyncHTTPTransport(verify=context, limits=limits, trust_env=False)
    # httpx has no public hook for the network backend: give its transport our pool
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(guard),
    )
    return transport
