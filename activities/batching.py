"""Batched delivery: the tries of callbacks to one endpoint target wait together in this worker
process and go out as one POST whose body is a JSON array of their envelopes.

Each callback keeps its own workflow and delivery activity: the activity hands its envelope to
the ``Batcher`` and waits for the POST that carried it; every waiting activity then records and
concludes its own try with the shared outcome (a failure retries each callback on its own
schedule, so it may ride in a later batch with other company). Nothing here is durable, and
need not be: a batch lost with its worker is a set of activity tries that time out and run
again. A batch is sent when it holds ``max_events`` envelopes or ``max_wait_ms`` after its
first; a try that is cancelled while its batch is still open leaves it unsent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from activities.sender import SendOutcome
from core.delivery_contracts import BatchSpec
from core.ids import new_id

__all__ = ["BATCH_ID_PREFIX", "BatchKey", "BatchResult", "Batcher", "Post", "array_body"]

BATCH_ID_PREFIX = "bat"

Post = Callable[[str, bytes], Awaitable[SendOutcome]]
"""Sends one batch: (batch id, the array body) -> what the receiver said."""


@dataclass(frozen=True)
class BatchKey:
    """Envelopes batch together only to one target of one endpoint configuration."""

    endpoint_id: str
    revision: int  # a batch never mixes configurations (headers, secrets, timeout)
    url: str


@dataclass(frozen=True)
class BatchResult:
    """What one waiting try gets: the batch's id, size and outcome."""

    batch_id: str
    size: int
    outcome: SendOutcome
    first: bool  # this try speaks for the batch where one POST must count once (breaker)


@dataclass(eq=False)
class _Open:
    post: Post
    waiters: list[tuple[bytes, asyncio.Future[BatchResult]]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    closed: bool = False


def array_body(bodies: list[bytes]) -> bytes:
    """The JSON array of the rendered (compact JSON) envelopes, byte for byte."""
    return b"[" + b",".join(bodies) + b"]"


class Batcher:
    """The open batches of one worker process, by ``BatchKey``."""

    def __init__(self) -> None:
        self._open: dict[BatchKey, _Open] = {}
        self._sending: set[asyncio.Task[None]] = set()

    async def submit(self, key: BatchKey, spec: BatchSpec, body: bytes, post: Post) -> BatchResult:
        """Adds one rendered envelope to the open batch of ``key`` (``post`` sends the batch if
        this envelope opens it) and waits for the batch's outcome."""
        loop = asyncio.get_running_loop()
        batch = self._open.get(key)
        if batch is None:
            batch = _Open(post)
            self._open[key] = batch
            batch.timer = loop.call_later(spec.max_wait_ms / 1000, self._close, key, batch)
        waiter: asyncio.Future[BatchResult] = loop.create_future()
        batch.waiters.append((body, waiter))
        if len(batch.waiters) >= spec.max_events:
            self._close(key, batch)
        try:
            return await waiter
        except asyncio.CancelledError:
            self._withdraw(key, batch, waiter)
            raise

    @property
    def open_batches(self) -> int:
        return len(self._open)

    def _withdraw(self, key: BatchKey, batch: _Open, waiter: asyncio.Future[BatchResult]) -> None:
        """A cancelled try leaves a batch that is not sent yet (one being sent goes as it is)."""
        if batch.closed:
            return
        batch.waiters = [(b, w) for b, w in batch.waiters if w is not waiter]
        if not batch.waiters:
            if batch.timer is not None:
                batch.timer.cancel()
            if self._open.get(key) is batch:
                del self._open[key]

    def _close(self, key: BatchKey, batch: _Open) -> None:
        if batch.closed:
            return
        batch.closed = True
        if self._open.get(key) is batch:
            del self._open[key]
        if batch.timer is not None:
            batch.timer.cancel()
        waiters = [(b, w) for b, w in batch.waiters if not w.done()]
        if waiters:
            task = asyncio.get_running_loop().create_task(self._send(batch.post, waiters))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(
        self, post: Post, waiters: list[tuple[bytes, asyncio.Future[BatchResult]]]
    ) -> None:
        batch_id = new_id(BATCH_ID_PREFIX)
        try:
            outcome = await post(batch_id, array_body([body for body, _ in waiters]))
        except Exception as exc:  # adapters report receivers' faults; this is our own
            for _, waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        first = True
        for _, waiter in waiters:
            if not waiter.done():
                waiter.set_result(BatchResult(batch_id, len(waiters), outcome, first=first))
                first = False
