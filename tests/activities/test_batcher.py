"""The in-process Batcher alone (a real asyncio loop; the send is a recording function): full
batches go at once, the rest after max_wait_ms, a cancelled try leaves an open batch, keys
never mix, a send that raises fails every waiting try."""

from __future__ import annotations

import asyncio
import json

import pytest

from activities.batching import Batcher, BatchKey, BatchResult
from activities.sender import SendOutcome
from core.delivery_contracts import BatchSpec

KEY = BatchKey("ep_1", 1, "http://127.0.0.1:9/hook")


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[int]]] = []

    async def post(self, batch_id: str, body: bytes) -> SendOutcome:
        self.sent.append((batch_id, json.loads(body)))
        return SendOutcome(200, 1, "ok", None)


def _submit(
    batcher: Batcher, recorder: Recorder, n: int, spec: BatchSpec, key: BatchKey = KEY
) -> asyncio.Task[BatchResult]:
    return asyncio.create_task(batcher.submit(key, spec, json.dumps(n).encode(), recorder.post))


async def test_a_full_batch_goes_at_once_and_each_try_gets_the_shared_result() -> None:
    batcher, recorder = Batcher(), Recorder()
    spec = BatchSpec(max_events=3, max_wait_ms=60_000)
    tasks = [_submit(batcher, recorder, n, spec) for n in range(3)]
    results: list[BatchResult] = await asyncio.wait_for(asyncio.gather(*tasks), 5)
    [(batch_id, body)] = recorder.sent
    assert body == [0, 1, 2]
    assert {r.batch_id for r in results} == {batch_id} and batch_id.startswith("bat_")
    assert [r.first for r in results] == [True, False, False]
    assert all(r.size == 3 and r.outcome.status_code == 200 for r in results)
    assert batcher.open_batches == 0


async def test_a_batch_that_is_not_full_goes_after_max_wait() -> None:
    batcher, recorder = Batcher(), Recorder()
    spec = BatchSpec(max_events=10, max_wait_ms=50)
    other = BatchKey("ep_1", 2, KEY.url)  # another revision of the endpoint: another batch
    tasks = [_submit(batcher, recorder, 1, spec), _submit(batcher, recorder, 2, spec, other)]
    await asyncio.sleep(0)
    assert recorder.sent == [] and batcher.open_batches == 2
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert sorted(body for _, body in recorder.sent) == [[1], [2]]


async def test_a_cancelled_try_leaves_its_open_batch() -> None:
    batcher, recorder = Batcher(), Recorder()
    spec = BatchSpec(max_events=10, max_wait_ms=100)
    gone = _submit(batcher, recorder, 1, spec)
    kept = _submit(batcher, recorder, 2, spec)
    await asyncio.sleep(0)
    gone.cancel()
    result = await asyncio.wait_for(kept, 5)
    assert [body for _, body in recorder.sent] == [[2]] and result.first
    alone = _submit(batcher, recorder, 3, spec)
    await asyncio.sleep(0)
    alone.cancel()
    await asyncio.sleep(0.2)
    assert len(recorder.sent) == 1 and batcher.open_batches == 0  # nothing left to send


async def test_a_send_that_raises_fails_every_waiting_try() -> None:
    batcher = Batcher()

    async def broken(batch_id: str, body: bytes) -> SendOutcome:
        raise RuntimeError("adapter bug")

    spec = BatchSpec(max_events=2, max_wait_ms=60_000)
    tasks = [asyncio.create_task(batcher.submit(KEY, spec, b"1", broken)) for _ in range(2)]
    for task in tasks:
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(task, 5)
