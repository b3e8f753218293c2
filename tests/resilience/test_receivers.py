"""Misbehaving receivers: flapping, too slow, answering garbage or hanging up. Every callback
still ends delivered (or dead-lettered), and every try is in the attempt log."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest_asyncio

from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver, free_port
from tests.support.stack import Stack, fast_retry

pytestmark = SERIAL  # see tests/support/groups.py


async def test_flapping_receiver_gets_every_callback(stack: Stack, receiver: Receiver) -> None:
    rng = random.Random(7)
    receiver.answer(*[Answer(status=rng.choice([200, 500, 502, 503])) for _ in range(60)])
    tenant = await stack.tenant()
    await stack.endpoint(
        tenant["id"],
        receiver.url,
        retry=fast_retry(strategy="fixed", interval_seconds=1, max_attempts=30),
    )
    ids = [(await stack.post_event(tenant["id"]))["callback_ids"][0] for _ in range(12)]
    for callback_id in ids:
        body = await stack.wait_status(callback_id, "delivered", timeout=90)
        codes = [a["status_code"] for a in body["attempt_log"]]
        assert codes[-1] == 200 and all(c != 200 for c in codes[:-1]), codes
    assert {r.headers["webhook-id"] for r in receiver.requests} == set(ids)


async def test_slow_receiver_times_out_and_is_retried(stack: Stack, receiver: Receiver) -> None:
    receiver.answer(Answer(status=200, delay=2.5))
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, timeout_seconds=1, retry=fast_retry())
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    body = await stack.wait_status(callback_id, "delivered")
    first, second = body["attempt_log"]
    assert first["error"] == "timeout after 1s" and first["status_code"] is None
    assert 900 <= first["duration_ms"] < 2400
    assert second["status_code"] == 200


async def test_binary_garbage_in_a_2xx_answer_is_kept_safely(
    stack: Stack, receiver: Receiver
) -> None:
    receiver.default = Answer(status=200, body=bytes(range(256)) * 4)
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    body = await stack.wait_status(callback_id, "delivered")
    excerpt = body["attempt_log"][0]["response_excerpt"]
    assert "\ufffd" in excerpt and len(excerpt) <= stack.settings.response_excerpt_bytes


class RawServer:
    """A TCP server on 127.0.0.1 that answers every connection with ``reply`` and hangs up."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.port = free_port()
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        await reader.read(65536)
        writer.write(self.reply)
        await writer.drain()
        writer.close()


@pytest_asyncio.fixture(loop_scope="session", params=[b"NOT HTTP AT ALL\r\n\r\n", b""])
async def raw_server(request: object) -> AsyncIterator[RawServer]:
    raw = RawServer(request.param)  # type: ignore[attr-defined]
    server = await asyncio.start_server(raw.handle, "127.0.0.1", raw.port)
    async with server:
        yield raw


async def test_garbage_or_hang_up_is_a_failed_try(stack: Stack, raw_server: RawServer) -> None:
    tenant = await stack.tenant()
    url = f"http://127.0.0.1:{raw_server.port}/hook"
    await stack.endpoint(tenant["id"], url, retry=fast_retry(max_attempts=2))
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    body = await stack.wait_status(callback_id, "dead_lettered")
    assert [a["status_code"] for a in body["attempt_log"]] == [None, None]
    assert all(a["error"] for a in body["attempt_log"])
    assert raw_server.connections == 2
