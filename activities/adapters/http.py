"""HTTP and HTTPS: keep-alive pools per (endpoint, TLS configuration), mTLS, custom CA."""

from __future__ import annotations

import os
import ssl
import tempfile
from collections import OrderedDict

import httpx

from activities.adapters.base import Delivery, SendOutcome, TlsConfig
from activities.adapters.guard import default_ssl_context, guarded_transport
from activities.sender import HttpSender
from core.netguard import NetGuard

__all__ = ["HttpAdapter", "pool_limits", "ssl_context_for"]


def ssl_context_for(tls: TlsConfig | None) -> ssl.SSLContext:
    """The default trust store, or only the endpoint's CA bundle; plus its client certificate.
    Without either, the process's shared default context."""
    if tls is None or not (tls.ca_bundle or (tls.client_cert and tls.client_key)):
        return default_ssl_context()
    if not tls.ca_bundle:
        context = httpx.create_ssl_context(trust_env=False)
    else:
        context = ssl.create_default_context(cadata=tls.ca_bundle)
    if tls.client_cert and tls.client_key:
        _load_client_pair(context, tls.client_cert, tls.client_key)
    return context


def _load_client_pair(context: ssl.SSLContext, cert: str, key: str) -> None:
    """``load_cert_chain`` reads files only: a private temporary directory, removed at once."""
    with tempfile.TemporaryDirectory(prefix="goutong-mtls-") as folder:
        paths = []
        for name, pem in (("cert.pem", cert), ("key.pem", key)):
            path = os.path.join(folder, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(pem)
            paths.append(path)
        context.load_cert_chain(paths[0], paths[1])


def pool_limits(max_connections: int, keepalive_seconds: float) -> httpx.Limits:
    """Every connection kept alive, each for ``keepalive_seconds`` of idleness at most (the
    limits of the delivery pools and of the worker's shared client)."""
    return httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=keepalive_seconds,
    )


class HttpAdapter:
    """POSTs over a keep-alive pool per (endpoint, TLS configuration); the least recently used
    pool is closed when there are more than ``max_pools``, and a connection idle for
    ``keepalive_seconds`` is closed rather than reused (GOUTONG_HTTP_KEEPALIVE_SECONDS)."""

    def __init__(
        self,
        guard: NetGuard,
        *,
        excerpt_bytes: int,
        max_connections: int,
        max_pools: int = 256,
        keepalive_seconds: float = 4.0,
    ) -> None:
        self._guard = guard
        self._excerpt_bytes = excerpt_bytes
        self._limits = pool_limits(max_connections, keepalive_seconds)
        self._max_pools = max_pools
        self._pools: OrderedDict[tuple[str, str], HttpSender] = OrderedDict()
        self._clients: dict[tuple[str, str], httpx.AsyncClient] = {}

    async def send(self, delivery: Delivery) -> SendOutcome:
        try:
            sender = await self._sender(delivery)
        except (ssl.SSLError, ValueError, OSError) as exc:  # a certificate or key that won't load
            error = f"invalid TLS configuration: {type(exc).__name__}: {exc}"[:500]
            return SendOutcome(None, 0, "", error, retryable=False)
        return await sender.send(
            url=delivery.url,
            body=delivery.body,
            headers=delivery.headers,
            timeout_seconds=delivery.timeout_seconds,
        )

    async def _sender(self, delivery: Delivery) -> HttpSender:
        key = (delivery.endpoint_id, delivery.tls.fingerprint() if delivery.tls else "")
        sender = self._pools.get(key)
        if sender is not None:
            self._pools.move_to_end(key)
            return sender
        transport = guarded_transport(
            self._guard, limits=self._limits, ssl_context=ssl_context_for(delivery.tls)
        )
        client = httpx.AsyncClient(transport=transport, follow_redirects=False, trust_env=False)
        sender = HttpSender(client, excerpt_bytes=self._excerpt_bytes)
        self._pools[key], self._clients[key] = sender, client
        while len(self._pools) > self._max_pools:
            old, _ = self._pools.popitem(last=False)
            await self._clients.pop(old).aclose()
        return sender

    @property
    def pool_count(self) -> int:
        return len(self._pools)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._pools.clear()
        self._clients.clear()
