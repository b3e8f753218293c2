"""store.grouping.Grouped: what queues while a group runs is the next group, each caller gets
its own answer."""

from __future__ import annotations

import asyncio

import pytest

from store.grouping import Grouped


class Recorder:
    """A group runner that records its groups and can be held mid-group."""

    def __init__(self) -> None:
        self.groups: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, items: list[int]) -> list[int | Exception]:
        self.groups.append(items)
        await self.release.wait()
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


async def test_a_lone_item_runs_at_once_in_a_group_of_its_own() -> None:
    runner = Recorder()
    grouped: Grouped[int, int] = Grouped(runner)

    assert await grouped.submit(4) == 40
    assert runner.groups == [[4]]


async def test_items_that_queue_while_a_group_runs_are_the_next_group() -> None:
    runner = Recorder()
    runner.release.clear()
    grouped: Grouped[int, int] = Grouped(runner)
    first = asyncio.create_task(grouped.submit(0))
    await asyncio.sleep(0.01)  # the first group is in flight, held
    rest = [asyncio.create_task(grouped.submit(i)) for i in (2, 4, 6)]
    await asyncio.sleep(0.01)
    runner.release.set()

    assert await first == 0
    assert [await task for task in rest] == [20, 40, 60]
    assert runner.groups == [[0], [2, 4, 6]]
    assert grouped.groups == 2


async def test_groups_are_cut_at_max_group() -> None:
    runner = Recorder()
    grouped: Grouped[int, int] = Grouped(runner, max_group=3)

    results = await asyncio.gather(*(grouped.submit(i * 2) for i in range(7)))

    assert results == [i * 20 for i in range(7)]
    assert [len(group) for group in runner.groups] == [3, 3, 1]


async def test_an_items_exception_reaches_its_caller_only() -> None:
    grouped: Grouped[int, int] = Grouped(Recorder())

    results = await asyncio.gather(*(grouped.submit(i) for i in range(4)), return_exceptions=True)

    assert results[0] == 0 and results[2] == 20
    assert isinstance(results[1], ValueError) and str(results[1]) == "odd 1"
    assert isinstance(results[3], ValueError) and str(results[3]) == "odd 3"


async def test_a_failed_group_fails_each_of_its_callers_and_the_next_group_still_runs() -> None:
    calls: list[list[int]] = []

    async def flaky(items: list[int]) -> list[int | Exception]:
        calls.append(items)
        if len(calls) == 1:
            await asyncio.sleep(0.01)
            raise RuntimeError("the store went away")
        return list(items)

    grouped: Grouped[int, int] = Grouped(flaky)
    first = asyncio.create_task(grouped.submit(1))
    await asyncio.sleep(0)
    second = asyncio.create_task(grouped.submit(2))

    with pytest.raises(RuntimeError, match="went away"):
        await first
    assert await second == 2
    assert calls == [[1], [2]]


async def test_a_cancelled_caller_leaves_its_item_in_the_group() -> None:
    runner = Recorder()
    runner.release.clear()
    grouped: Grouped[int, int] = Grouped(runner)
    cancelled = asyncio.create_task(grouped.submit(2))
    kept = asyncio.create_task(grouped.submit(4))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    runner.release.set()

    assert await kept == 40
    assert cancelled.cancelled()
    assert runner.groups == [[2, 4]]  # the cancelled caller's write still ran
