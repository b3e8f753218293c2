"""The Redis Streams adapter against a real redis-server started by the test."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from redis.asyncio import Redis
from standardwebhooks import Webhook

from activities.adapters.base import Delivery
from activities.adapters.redis_stream import RedisStreamAdapter
from core.netguard import LOOPBACK_NETWORKS, NetGuard
from core.signing import generate_secret, signature_headers
from runtime.tracing import build_tracing
from tests.support.redis_server import redis_server
from tests.support.stack import make_settings

PASSWORD = "s3cret-redis"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path, password=PASSWORD) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def adapter() -> AsyncIterator[RedisStreamAdapter]:
    queue = RedisStreamAdapter(NetGuard(LOOPBACK_NETWORKS), max_connections=4)
    yield queue
    await queue.aclose()


def signed(url: str, secret: str, stream: str | None = "callbacks") -> Delivery:
    body = b'{"id":"cb_1","type":"message.status.delivered"}'
    headers = {"content-type": "application/json", "user-agent": "GouTong/test"}
    headers |= signature_headers([secret], "cb_1", int(time.time()), body)
    return Delivery("ep_1", url, body, headers, 5, stream=stream)


async def test_xadd_carries_the_signed_body_and_headers(
    adapter: RedisStreamAdapter, redis_url: str
) -> None:
    secret = generate_secret()
    outcome = await adapter.send(signed(redis_url, secret))
    assert outcome.ok and outcome.status_code is None
    assert outcome.excerpt.startswith("XADD callbacks ")

    async with Redis.from_url(redis_url) as reader:
        entries: Any = await reader.xrange("callbacks")
    [(entry_id, raw)] = entries
    assert outcome.excerpt.endswith(entry_id.decode())
    fields: dict[str, bytes] = {k.decode(): v for k, v in raw.items()}
    assert "user-agent" not in fields
    headers = {k: v.decode() for k, v in fields.items() if k != "body"}
    payload = Webhook(secret).verify(fields["body"], headers)  # any Standard Webhooks library
    assert payload["id"] == "cb_1" and headers["webhook-id"] == "cb_1"


async def test_wrong_password_and_dead_server_are_retryable(
    adapter: RedisStreamAdapter, redis_url: str
) -> None:
    wrong = redis_url.replace(PASSWORD, "nope")
    outcome = await adapter.send(signed(wrong, generate_secret()))
    assert not outcome.ok and outcome.retryable
    dead = "redis://127.0.0.1:9/0"
    outcome = await adapter.send(signed(dead, generate_secret()))
    assert not outcome.ok and outcome.retryable and "ConnectionError" in (outcome.error or "")


async def test_a_key_that_is_no_stream_is_final(
    adapter: RedisStreamAdapter, redis_url: str
) -> None:
    async with Redis.from_url(redis_url) as writer:
        await writer.set("taken", "x")
    outcome = await adapter.send(signed(redis_url, generate_secret(), stream="taken"))
    assert not outcome.ok and not outcome.retryable and "WRONGTYPE" in (outcome.error or "")


async def test_refused_target_is_never_written(redis_url: str) -> None:
    strict = RedisStreamAdapter(NetGuard(), max_connections=2)
    try:
        outcome = await strict.send(signed(redis_url, generate_secret()))
    finally:
        await strict.aclose()
    assert not outcome.ok and not outcome.retryable
    assert "loopback" in (outcome.error or "")
    async with Redis.from_url(redis_url) as reader:
        assert await reader.xlen("callbacks") == 0


async def test_a_traced_xadd_carries_the_traceparent_field(
    adapter: RedisStreamAdapter, redis_url: str, tmp_path: Path
) -> None:
    exporter = InMemorySpanExporter()
    tracing = build_tracing(make_settings(tmp_path, "127.0.0.1:1"), "worker", exporter)
    delivery = signed(redis_url, generate_secret(), stream="traced")
    with tracing.delivery(delivery.url, delivery.headers, stream="traced") as span:
        outcome = await adapter.send(delivery)
        span.outcome(status_code=outcome.status_code, error=outcome.error)
    [xadd] = exporter.get_finished_spans()
    attributes = dict(xadd.attributes or {})
    assert xadd.name == "XADD" and attributes["server.address"] == "127.0.0.1"
    assert PASSWORD not in str(attributes)

    async with Redis.from_url(redis_url) as reader:
        entries: Any = await reader.xrange("traced")
    [(_, raw)] = entries
    _, trace_id, parent, _ = raw[b"traceparent"].decode().split("-")
    assert (trace_id, parent) == (f"{xadd.context.trace_id:032x}", f"{xadd.context.span_id:016x}")
