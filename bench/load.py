"""The load generator: endpoints through the API, then events at a bounded concurrency (and an
optional rate), one POST /v1/events each or in batches; accept times per callback id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.stack import ADMIN_KEY

__all__ = ["Accepted", "Api", "event_body", "fetch_receipts", "paced", "wait_receipts"]

Receipts = dict[str, tuple[float, int, int]]  # webhook-id -> (time.time(), port, body size)


@dataclass
class Accepted:
    """When each callback was accepted (``time.time()`` of the answer), by callback id."""

    at: dict[str, float] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    errors: int = 0


async def paced(
    count: int, concurrency: int, rate: float | None, one: Callable[[int], Awaitable[None]]
) -> tuple[float, float]:
    """Calls ``one(i)`` for every i with at most ``concurrency`` in flight, and no earlier than
    ``i / rate`` seconds after the start when a rate is given. Returns (start, end) times."""
    start = time.time()
    indexes = iter(range(count))

    async def lane() -> None:
        for i in indexes:  # shared by the lanes: each index is taken once
            if rate:
                delay = start + i / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            await one(i)

    await asyncio.gather(*(lane() for _ in range(max(1, min(concurrency, count)))))
    return start, time.time()


def event_body(run: str, i: int, channel: str, tenant_id: str) -> dict[str, Any]:
    """A status event like the platform posts; its channel type routes it to one endpoint."""
    return {
        "id": f"{run}-{i}",
        "tenant_id": tenant_id,
        "type": "message.status.delivered",
        "message_id": f"msg-{run}-{i:07d}",
        "channel": {"type": channel, "provider": "aliyun", "account": "acc-1"},
        "recipient": "+8613800138000",
        "detail": "delivered to handset",
        "metadata": {"campaign": "bench", "batch": i // 100},
    }


class Api:
    """The API under test, over one keep-alive httpx client."""

    def __init__(self, url: str, concurrency: int) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.http = httpx.AsyncClient(
            base_url=url,
            limits=limits,
            timeout=60,
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            trust_env=False,
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def endpoints(
        self, urls: list[str], batch: dict[str, int] | None = None
    ) -> tuple[str, list[str]]:
        """One tenant and one endpoint per URL, each taking only events of its own channel type
        (so one event is one callback), with batched delivery ``batch`` if given. Returns the
        tenant id and the channel per endpoint."""
        tenant = await self._post("/v1/tenants", {"name": "bench"}, 201)
        channels = []
        for i, url in enumerate(urls):
            channel = f"bench{i}"
            body = {"tenant_id": tenant["id"], "url": url, "name": channel, "channels": [channel]}
            if batch:
                body["batch"] = batch
            await self._post("/v1/endpoints", body, 201)
            channels.append(channel)
        return str(tenant["id"]), channels

    async def _post(self, path: str, body: object, expect: int) -> dict[str, Any]:
        """Retried on 5xx and on timeouts/transport errors (the same body: events carry their
        id, so a retry is idempotent); a 50,000-event run on a crowded machine lost 5 events
        to client timeouts and then waited for their receipts until its own timeout."""
        for attempt in range(5):
            try:
                response = await self.http.post(path, json=body)
            except httpx.TransportError:
                if attempt == 4 or not path.startswith("/v1/events"):
                    raise  # creating tenants and endpoints is not idempotent
                await asyncio.sleep(0.5)
                continue
            if response.status_code == expect:
                return dict(response.json())
            if response.status_code < 500:
                break
            await asyncio.sleep(0.5)
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:300]}")

    async def ingest(
        self, bodies: list[dict[str, Any]], concurrency: int, rate: float | None
    ) -> Accepted:
        """One POST /v1/events per event (retried on 5xx with the same id: idempotent)."""
        accepted = Accepted()

        async def one(i: int) -> None:
            try:
                answer = await self._post("/v1/events", bodies[i], 202)
            except (RuntimeError, httpx.HTTPError):
                accepted.errors += 1
                return
            now = time.time()
            for callback_id in answer["callback_ids"]:
                accepted.at[callback_id] = now

        accepted.started, accepted.finished = await paced(len(bodies), concurrency, rate, one)
        return accepted

    async def ingest_batches(
        self, bodies: list[dict[str, Any]], size: int, concurrency: int
    ) -> Accepted:
        """POST /v1/events/batch with ``size`` events per request."""
        accepted = Accepted()
        chunks = [bodies[i : i + size] for i in range(0, len(bodies), size)]

        async def one(i: int) -> None:
            sent = time.time()  # each event is accepted between the send and the 202: latency
            try:  # counts from the send (an upper bound; an eager start may deliver before 202)
                answer = await self._post("/v1/events/batch", {"events": chunks[i]}, 202)
            except (RuntimeError, httpx.HTTPError):
                accepted.errors += len(chunks[i])
                return
            for event in answer["events"]:
                for callback_id in event["callback_ids"]:
                    accepted.at[callback_id] = sent

        accepted.started, accepted.finished = await paced(len(chunks), concurrency, None, one)
        return accepted


async def wait_receipts(control: str, expected: int, within: float) -> bool:
    """Polls the receivers until ``expected`` distinct callbacks arrived; False on timeout."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(base_url=control, trust_env=False) as http:
        while time.monotonic() < deadline:
            stats = (await http.get("/stats")).json()
            if stats["unique_ok"] >= expected:
                return True
            await asyncio.sleep(0.25)
    return False


async def fetch_receipts(control: str) -> tuple[Receipts, dict[str, int]]:
    async with httpx.AsyncClient(base_url=control, trust_env=False, timeout=60) as http:
        dump = (await http.get("/dump")).json()
    receipts = {row[0]: (float(row[1]), int(row[2]), int(row[3])) for row in dump.pop("receipts")}
    return receipts, {k: int(v) for k, v in dump.items()}
