"""The delivery engine end to end with several real receivers on loopback: the distribution
each balancing strategy produces, failover when a receiver dies mid-run, Redis Streams
delivery against a real redis-server, mTLS with a custom CA."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest_asyncio
from redis.asyncio import Redis
from standardwebhooks import Webhook

from tests.support.receiver import Answer, Receiver
from tests.support.redis_server import redis_server
from tests.support.stack import Stack, fast_retry
from tests.support.tls import make_pki


@pytest_asyncio.fixture(loop_scope="session")
async def receivers() -> AsyncIterator[list[Receiver]]:
    async with AsyncExitStack() as exits:
        yield [await exits.enter_async_context(Receiver.running()) for _ in range(3)]


async def _deliver_all(
    stack: Stack, tenant_id: str, messages: list[str], *, one_by_one: bool = False
) -> list[str]:
    """Posts one event per message id; waits until all are delivered (each before the next
    is posted when ``one_by_one``)."""
    ids = []
    for message_id in messages:
        [callback_id] = (await stack.post_event(tenant_id, message_id=message_id))["callback_ids"]
        ids.append(callback_id)
        if one_by_one:
            await stack.wait_status(callback_id, "delivered")
    await asyncio.gather(*(stack.wait_status(i, "delivered") for i in ids))
    return ids


def _counts(receivers: list[Receiver]) -> list[int]:
    return [len(r.requests) for r in receivers]


async def _endpoint(
    stack: Stack, tenant_id: str, targets: list[dict[str, Any]], **fields: Any
) -> None:
    await stack.endpoint(tenant_id, None, targets=targets, **fields)


async def test_round_robin_gives_each_target_the_same_share(
    stack: Stack, receivers: list[Receiver]
) -> None:
    tenant = await stack.tenant()
    await _endpoint(stack, tenant["id"], [{"url": r.url} for r in receivers])
    await _deliver_all(stack, tenant["id"], [f"m{n}" for n in range(9)])
    assert _counts(receivers) == [3, 3, 3]


async def test_weighted_round_robin_follows_the_weights(
    stack: Stack, receivers: list[Receiver]
) -> None:
    tenant = await stack.tenant()
    targets = [{"url": receivers[0].url, "weight": 3}, {"url": receivers[1].url, "weight": 1}]
    await _endpoint(stack, tenant["id"], targets, balancing={"strategy": "weighted_round_robin"})
    await _deliver_all(stack, tenant["id"], [f"m{n}" for n in range(8)])
    assert _counts(receivers) == [6, 2, 0]


async def test_consistent_hash_keeps_a_message_on_one_target(
    stack: Stack, receivers: list[Receiver]
) -> None:
    tenant = await stack.tenant()
    await _endpoint(
        stack,
        tenant["id"],
        [{"url": r.url} for r in receivers],
        balancing={"strategy": "consistent_hash"},
    )
    messages = [f"msg-{n % 6}" for n in range(18)]  # 6 messages, 3 events each
    await _deliver_all(stack, tenant["id"], messages)
    by_message: dict[str, set[int]] = {}
    for index, receiver in enumerate(receivers):
        for request in receiver.requests:
            message = json.loads(request.body)["message_id"]
            by_message.setdefault(message, set()).add(index)
    assert len(by_message) == 6
    assert all(len(targets) == 1 for targets in by_message.values())
    assert len(set().union(*by_message.values())) >= 2  # six messages do not all hash alike


async def test_least_connections_sends_to_the_idle_target(
    stack: Stack, receivers: list[Receiver]
) -> None:
    """A slow target holds its deliveries in flight; new ones go to the other targets."""
    tenant = await stack.tenant()
    receivers[0].default = Answer(delay=3.0)
    await _endpoint(
        stack,
        tenant["id"],
        [{"url": r.url} for r in receivers],
        balancing={"strategy": "least_connections"},
        timeout_seconds=10,
    )
    ids = (await stack.post_event(tenant["id"], message_id="slow-0"))["callback_ids"]
    await receivers[0].wait_for(1)  # round robin starts at the first target: now it is busy
    for n in range(6):
        ids += (await stack.post_event(tenant["id"], message_id=f"m{n}"))["callback_ids"]
        await asyncio.sleep(0.1)
    await asyncio.gather(*(stack.wait_status(i, "delivered") for i in ids))
    counts = _counts(receivers)
    assert sum(counts) == 7
    assert counts[0] <= 2 and counts[1] >= 2 and counts[2] >= 2, counts


async def test_failover_when_a_receiver_dies_mid_run(
    stack: Stack, receivers: list[Receiver]
) -> None:
    tenant = await stack.tenant()
    alive, doomed = receivers[0], receivers[1]
    await _endpoint(
        stack, tenant["id"], [{"url": alive.url}, {"url": doomed.url}], retry=fast_retry()
    )
    await _deliver_all(stack, tenant["id"], ["a0", "a1"])
    assert _counts([alive, doomed]) == [1, 1]
    await doomed.stop()

    ids = await _deliver_all(stack, tenant["id"], [f"b{n}" for n in range(6)], one_by_one=True)
    assert len(alive.requests) == 7  # every one of them, though one first met the dead target
    logs = [(await stack.callback(i))["attempt_log"] for i in ids]
    failed = [log for log in logs if len(log) > 1]
    assert len(failed) == 1, logs  # only the first try after the death hit it
    first, second = failed[0]
    assert first["target_url"] == doomed.url and first["status_code"] is None
    assert second["target_url"] == alive.url and second["status_code"] == 200
    assert all(log[-1]["target_url"] == alive.url for log in logs)


async def test_server_errors_take_a_target_out_of_rotation(
    stack: Stack, receivers: list[Receiver]
) -> None:
    tenant = await stack.tenant()
    sick, well = receivers[0], receivers[1]
    sick.default = Answer(status=503)
    await _endpoint(stack, tenant["id"], [{"url": sick.url}, {"url": well.url}], retry=fast_retry())
    await _deliver_all(stack, tenant["id"], [f"m{n}" for n in range(6)], one_by_one=True)
    assert len(sick.requests) == 1  # then it cools down (30 s) while the other one answers
    assert len(well.requests) == 6


async def test_redis_stream_delivery(stack: Stack, tmp_path: Path) -> None:
    with redis_server(tmp_path) as url:
        tenant = await stack.tenant()
        endpoint = await stack.endpoint(
            tenant["id"],
            None,
            protocol="redis_stream",
            targets=[{"url": url, "stream": "goutong:callbacks"}],
        )
        [callback_id] = await _deliver_all(stack, tenant["id"], ["msg-r1"])
        async with Redis.from_url(url) as reader:
            entries: Any = await reader.xrange("goutong:callbacks")
        [(_, raw)] = entries
        fields = {k.decode(): v for k, v in raw.items()}
        headers = {k: v.decode() for k, v in fields.items() if k != "body"}
        payload = Webhook(endpoint["secret"]).verify(fields["body"], headers)
        assert payload["id"] == callback_id and payload["message_id"] == "msg-r1"
        [attempt] = (await stack.callback(callback_id))["attempt_log"]
        assert attempt["target_url"] == f"{url}#goutong:callbacks"
        assert attempt["response_excerpt"].startswith("XADD goutong:callbacks ")


async def test_mtls_with_custom_ca(stack: Stack, tmp_path: Path) -> None:
    pki = make_pki()
    async with Receiver.running(pki.write_server_files(tmp_path)) as secure:
        tenant = await stack.tenant()
        await stack.endpoint(
            tenant["id"],
            secure.url,
            auth={
                "type": "mtls",
                "client_cert": pki.client_cert,
                "client_key": pki.client_key,
                "ca_bundle": pki.ca_cert,
            },
        )
        await _deliver_all(stack, tenant["id"], ["msg-t1"])
        assert len(secure.requests) == 1
