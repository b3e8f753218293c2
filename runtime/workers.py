"""Several Temporal workers of one process run, start and stop as one."""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType

from temporalio.worker import Worker

__all__ = ["WorkerGroup"]


class WorkerGroup:
    """The main worker (workflows and all activities, on the main task queue) and the retry
    queue's worker (delivery retries only, slots of their own), entered and left together."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self._exits: AsyncExitStack | None = None

    @property
    def main(self) -> Worker:
        return self.workers[0]

    async def __aenter__(self) -> WorkerGroup:
        exits = AsyncExitStack()
        try:
            for worker in self.workers:
                await exits.enter_async_context(worker)
        except BaseException:
            await exits.aclose()
            raise
        self._exits = exits
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        exits, self._exits = self._exits, None
        if exits is not None:
            await exits.__aexit__(exc_type, exc, tb)
