"""Group commit: the requests that arrive while one group is in flight become the next group."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["Grouped"]

Item = TypeVar("Item")
Result = TypeVar("Result")

GroupRunner = Callable[[list[Item]], Awaitable[list[Result | Exception]]]


class Grouped(Generic[Item, Result]):
    """Runs ``run_group`` over the items submitted since its last call, one group at a time: a
    lone request runs at once (no timer, no added latency at light load), and under load each
    group carries what queued while the previous one ran, up to ``max_group``. ``run_group``
    answers each item in order, a result or the exception that item's caller gets."""

    def __init__(self, run_group: GroupRunner[Item, Result], max_group: int = 64) -> None:
        self._run_group = run_group
        self._max_group = max_group
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None
        self.groups = 0  # groups run so far (metrics, tests)

    async def submit(self, item: Item) -> Result:
        """The item's result once its group ran. A caller cancelled meanwhile leaves the item in
        its group: the write it asked for still happens."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
            self.groups += 1
            try:
                answers = await self._run_group([item for item, _ in group])
            except asyncio.CancelledError:
                self._fail(group + self._queue, asyncio.CancelledError())
                self._queue.clear()
                raise
            except Exception as exc:  # the group as a whole failed: each caller gets it
                answers = [exc] * len(group)
            for (_, future), answer in zip(group, answers, strict=True):
                if future.done():  # its caller was cancelled
                    continue
                if isinstance(answer, Exception):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)

    @staticmethod
    def _fail(entries: list[tuple[Item, asyncio.Future[Result]]], exc: BaseException) -> None:
        for _, future in entries:
            if not future.done():
                future.set_exception(exc)
