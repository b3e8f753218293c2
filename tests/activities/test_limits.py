"""Per-endpoint rate and concurrency limits, measured at a real receiver while two worker
processes deliver: throttled callbacks wait without spending attempts."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable

from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry
from tests.test_worker import api_only, workers  # noqa: F401 (fixtures: API + worker processes)

pytestmark = SERIAL  # see tests/support/groups.py


async def _post_all(stack: Stack, tenant_id: str, count: int) -> list[str]:
    ids: list[str] = []
    for n in range(count):
        ids += (await stack.post_event(tenant_id, message_id=f"m{n}"))["callback_ids"]
    return ids


async def test_rate_limit_holds_across_two_worker_processes(
    api_only: Stack,  # noqa: F811
    workers: Callable[[], subprocess.Popen[bytes]],  # noqa: F811
    receiver: Receiver,
) -> None:
    workers(), workers()
    tenant = await api_only.tenant()
    await api_only.endpoint(
        tenant["id"],
        receiver.url,
        rate_limit={"per_second": 2, "burst": 1},
        retry=fast_retry(max_attempts=1),
    )
    started = time.monotonic()  # the bucket's first token is taken after this
    ids = await _post_all(api_only, tenant["id"], 8)
    bodies = await asyncio.gather(*(api_only.wait_status(i, "delivered", timeout=90) for i in ids))
    assert all(len(body["attempt_log"]) == 1 for body in bodies)  # waiting spent no attempt
    times = sorted(request.at for request in receiver.requests)
    assert len(times) == 8
    # the k-th send has the k-th slot, 0.5 s apart after the first take, whichever worker sent
    # it; a send may leave after its slot, never before (20 ms count as now)
    for k, at in enumerate(times):
        assert at - started >= k * 0.5 - 0.05, [round(t - started, 2) for t in times]


async def test_concurrency_limit_holds_across_two_worker_processes(
    api_only: Stack,  # noqa: F811
    workers: Callable[[], subprocess.Popen[bytes]],  # noqa: F811
    receiver: Receiver,
) -> None:
    workers(), workers()
    receiver.default = Answer(delay=1.0)
    tenant = await api_only.tenant()
    await api_only.endpoint(
        tenant["id"], receiver.url, max_in_flight=2, retry=fast_retry(max_attempts=1)
    )
    ids = await _post_all(api_only, tenant["id"], 8)
    bodies = await asyncio.gather(*(api_only.wait_status(i, "delivered", timeout=90) for i in ids))
    assert all(len(body["attempt_log"]) == 1 for body in bodies)
    assert len(receiver.requests) == 8
    assert receiver.max_in_flight == 2  # the limit was reached, never passed
