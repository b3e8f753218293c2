"""Retries on connection errors, 429 and 503, with the event's Idempotency-Key kept.

A real proxy on loopback answers the scripted failures first, then forwards to the real API.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from temporalio.testing import WorkflowEnvironment

from client import ApiError, AsyncGouTongClient, GouTongClient, Retries
from tests.support.receiver import Receiver, free_port
from tests.support.served import serve
from tests.support.stack import ADMIN_KEY, Stack, make_settings, open_stack, status_event

FAST = Retries(attempts=6, backoff=0.1, max_delay=1.0)


class FlakyProxy:
    """Answers the statuses in ``failures`` first (with Retry-After: 0), then forwards."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.failures: deque[int] = deque()
        self.seen: list[tuple[str, str, str | None]] = []
        methods = ["GET", "POST", "PATCH", "DELETE"]
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=methods)])

    async def _handle(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key")
        self.seen.append((request.method, request.url.path, key))
        if self.failures:
            status = self.failures.popleft()
            return Response(
                b'{"code": "busy", "message": "try again"}', status, {"retry-after": "0"}
            )
        async with httpx.AsyncClient(base_url=self.upstream) as http:
            answer = await http.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers={k: v for k, v in request.headers.items() if k != "host"},
            )
        return Response(answer.content, answer.status_code, {"content-type": "application/json"})


async def test_event_posts_are_retried_with_the_same_idempotency_key(
    stack: Stack, api_url: str, receiver: Receiver
) -> None:
    proxy = FlakyProxy(api_url)
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    async with serve(proxy.app) as url:
        client = GouTongClient(url, ADMIN_KEY, retries=FAST)
        proxy.failures.extend([503, 429, 503])
        accepted = await asyncio.to_thread(client.events.send, status_event(tenant_id=tenant["id"]))
        posts = [seen for seen in proxy.seen if seen[1] == "/v1/events"]
        assert len(posts) == 4 and len({key for _, _, key in posts}) == 1
        assert posts[0][2] == accepted.external_id and not accepted.duplicate
        await receiver.wait_for(1)
        assert len(accepted.callback_ids) == 1

        proxy.failures.extend([503])  # a create without a key is not repeated after a 503 ...
        with pytest.raises(ApiError) as refused:
            await asyncio.to_thread(client.tenants.create, name="once")
        assert (refused.value.status, refused.value.code) == (503, "busy")
        assert proxy.seen[-1][:2] == ("POST", "/v1/tenants")
        proxy.failures.extend([429])  # ... but one refused with 429 is
        created = await asyncio.to_thread(client.tenants.create, name="twice")
        assert [s[1] for s in proxy.seen[-2:]] == ["/v1/tenants", "/v1/tenants"]
        assert created.name == "twice"
        client.close()
    await asyncio.sleep(0.2)
    assert len(receiver.requests) == 1


async def test_connection_errors_are_retried_until_the_api_is_up(stack: Stack) -> None:
    port = free_port()
    client = GouTongClient(f"http://127.0.0.1:{port}", ADMIN_KEY, retries=FAST)
    with pytest.raises(ApiError) as down:
        await asyncio.to_thread(client.healthz)
    assert (down.value.status, down.value.code) == (None, "connection_error")

    client = GouTongClient(
        f"http://127.0.0.1:{port}",
        ADMIN_KEY,
        retries=Retries(attempts=20, backoff=0.2, max_delay=0.5),
    )
    call = asyncio.create_task(asyncio.to_thread(client.healthz))
    await asyncio.sleep(0.5)  # the first tries find nothing listening
    assert not call.done()
    async with serve(stack.app, port):
        assert await call == {"status": "ok"}
    client.close()


async def test_the_api_rate_limit_is_waited_out(
    tmp_path: Path, temporal_env: WorkflowEnvironment, temporal_address: str
) -> None:
    """The real limiter answers 429 with Retry-After; the client waits and every call lands."""
    settings = make_settings(
        tmp_path, temporal_address, api_rate_limit_per_second=1, api_rate_limit_burst=2
    )
    async with AsyncExitStack() as exits:
        stack = await open_stack(exits, settings, temporal_env.client, worker=False)
        async with serve(stack.app) as url, AsyncGouTongClient(url, ADMIN_KEY) as client:
            raw = await asyncio.gather(*(client.http.get("/v1/tenants") for _ in range(4)))
            refused = [r for r in raw if r.status_code == 429]  # the raw answers: no retries
            assert refused and all(int(r.headers["retry-after"]) >= 1 for r in refused)
            started = time.monotonic()
            pages = await asyncio.gather(*(client.tenants.list() for _ in range(2)))
            assert [page.data for page in pages] == [[], []]
            assert time.monotonic() - started >= 1.0  # it waited, it did not fail
