"""The HTTP adapter against real receivers: keep-alive pools per (endpoint, TLS configuration),
HTTPS with a custom CA, mTLS client certificates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from activities.adapters.base import Delivery, TlsConfig
from activities.adapters.http import HttpAdapter, ssl_context_for
from core.netguard import LOOPBACK_NETWORKS, NetGuard
from tests.support.receiver import Receiver
from tests.support.tls import Pki, make_pki


@pytest_asyncio.fixture(loop_scope="session")
async def adapter() -> AsyncIterator[HttpAdapter]:
    http = HttpAdapter(NetGuard(LOOPBACK_NETWORKS), excerpt_bytes=100, max_connections=4)
    yield http
    await http.aclose()


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki()


def delivery(url: str, endpoint_id: str = "ep_1", tls: TlsConfig | None = None) -> Delivery:
    return Delivery(endpoint_id, url, b'{"a":1}', {"content-type": "application/json"}, 5, tls=tls)


async def test_one_kept_alive_pool_per_endpoint(adapter: HttpAdapter, receiver: Receiver) -> None:
    for _ in range(3):
        assert (await adapter.send(delivery(receiver.url))).ok
    await adapter.send(delivery(receiver.url, endpoint_id="ep_2"))
    ports = [r.peer_port for r in receiver.requests]
    assert ports[0] == ports[1] == ports[2]  # one connection, kept alive
    assert ports[3] != ports[0]  # another endpoint, another pool
    assert adapter.pool_count == 2


async def test_an_idle_connection_is_not_reused_past_the_keepalive(receiver: Receiver) -> None:
    """A receiver closes idle connections after its own timeout (Node.js and uvicorn: 5 s); a
    connection idle past ours (default 4 s) is replaced, never reused as the receiver closes it."""
    http = HttpAdapter(
        NetGuard(LOOPBACK_NETWORKS), excerpt_bytes=10, max_connections=2, keepalive_seconds=0.3
    )
    try:
        for pause in (0.0, 0.05, 0.6):
            await asyncio.sleep(pause)
            assert (await http.send(delivery(receiver.url))).ok
    finally:
        await http.aclose()
    ports = [r.peer_port for r in receiver.requests]
    assert ports[0] == ports[1]  # idle 50 ms: kept alive
    assert ports[2] != ports[1]  # idle 600 ms, past 300: a new connection


async def test_least_recently_used_pool_is_closed_past_the_limit(receiver: Receiver) -> None:
    http = HttpAdapter(
        NetGuard(LOOPBACK_NETWORKS), excerpt_bytes=10, max_connections=2, max_pools=2
    )
    try:
        for endpoint_id in ("ep_a", "ep_b", "ep_a", "ep_c", "ep_a"):
            assert (await http.send(delivery(receiver.url, endpoint_id))).ok
        assert http.pool_count == 2
    finally:
        await http.aclose()


async def test_https_with_custom_ca_and_client_certificate(pki: Pki, tmp_path: Path) -> None:
    async with Receiver.running(pki.write_server_files(tmp_path)) as secure:
        adapter = HttpAdapter(NetGuard(LOOPBACK_NETWORKS), excerpt_bytes=100, max_connections=4)
        try:
            mtls = TlsConfig(pki.client_cert, pki.client_key, pki.ca_cert)
            outcome = await adapter.send(delivery(secure.url, tls=mtls))
            assert outcome.ok, outcome.error
            assert secure.requests[0].body == b'{"a":1}'

            # without the client certificate the receiver ends the handshake
            ca_only = TlsConfig(ca_bundle=pki.ca_cert)
            no_cert = await adapter.send(delivery(secure.url, "ep_2", ca_only))
            assert not no_cert.ok and no_cert.retryable
            # without the custom CA the receiver's certificate does not verify
            no_ca = await adapter.send(delivery(secure.url, "ep_3"))
            assert not no_ca.ok and "CERTIFICATE_VERIFY_FAILED" in (no_ca.error or "")
            assert len(secure.requests) == 1
        finally:
            await adapter.aclose()  # before the receiver stops: it waits for open connections


async def test_unloadable_client_key_is_a_final_failure(adapter: HttpAdapter, pki: Pki) -> None:
    broken = TlsConfig(pki.client_cert, make_pki().client_key, pki.ca_cert)  # not its key
    outcome = await adapter.send(delivery("https://127.0.0.1:9/hook", "ep_9", broken))
    assert not outcome.ok and not outcome.retryable
    assert "invalid TLS configuration" in (outcome.error or "")


def test_default_tls_context_is_shared_and_never_given_a_client_certificate(pki: Pki) -> None:
    shared = ssl_context_for(None)
    assert ssl_context_for(TlsConfig()) is shared  # built once per process, not per pool
    own = [
        ssl_context_for(TlsConfig(pki.client_cert, pki.client_key)),  # certificate, default CAs
        ssl_context_for(TlsConfig(ca_bundle=pki.ca_cert)),
        ssl_context_for(TlsConfig(pki.client_cert, pki.client_key, pki.ca_cert)),
    ]
    assert all(context is not shared for context in own)
    assert len({id(context) for context in own}) == len(own)
