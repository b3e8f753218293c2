"""runtime.gc_tuning: the collector of a started API or worker process."""

from __future__ import annotations

import gc

from runtime.gc_tuning import tune_gc


def test_tuning_freezes_what_startup_built_and_raises_the_first_threshold(
    restored_gc: None,
) -> None:
    _, gen1, gen2 = gc.get_threshold()
    assert tune_gc(20_000) is True

    assert gc.get_threshold() == (20_000, gen1, gen2)
    assert gc.get_freeze_count() > 0


def test_garbage_cycles_made_after_tuning_are_still_collected(restored_gc: None) -> None:
    tune_gc(20_000)

    class Node:
        partner: Node | None = None

    first, second = Node(), Node()
    first.partner, second.partner = second, first
    del first, second

    assert gc.collect() >= 2  # the cycle of two nodes, made after the freeze


def test_zero_leaves_the_collector_as_python_set_it(restored_gc: None) -> None:
    before = gc.get_threshold()

    assert tune_gc(0) is False

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
