"""Our worker with one lever pulled, for ``--scenario levers`` only: ``python -m bench.levers``.

The product's ``worker.main()`` runs unchanged, except that the ``Worker`` it builds gets the
options named in the environment:

- ``GOUTONG_WORKFLOW_SANDBOX`` (a product setting, ``runtime.sandbox``): ``strict`` (the SDK's
  default sandbox, re-importing the workflow modules per run), ``passthrough`` (the default),
  ``off`` (``UnsandboxedWorkflowRunner``);
- ``GOUTONG_GC_GEN0_THRESHOLD`` (a product setting, ``runtime.gc_tuning``): ``0`` leaves
  Python's garbage collector as it starts;
- ``BENCH_POLLERS=N``: N workflow-task and N activity-task pollers (default 5 each);
- ``BENCH_MAX_CACHED=N``: ``max_cached_workflows`` (sticky cache size).

Nothing here is used by the product or the default scenarios.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from temporalio.worker import PollerBehaviorSimpleMaximum

__all__ = ["LEVERS", "lever_options", "main"]

LEVERS: dict[str, dict[str, str]] = {
    "baseline": {},
    "strict-sandbox": {"GOUTONG_WORKFLOW_SANDBOX": "strict"},
    "no-sandbox": {"GOUTONG_WORKFLOW_SANDBOX": "off"},
    "pollers-20": {"BENCH_POLLERS": "20"},
    "default-gc": {"GOUTONG_GC_GEN0_THRESHOLD": "0"},  # Python's collector, as it starts
}


def lever_options(env: dict[str, str]) -> dict[str, Any]:
    """The extra ``Worker`` keyword arguments the environment asks for."""
    options: dict[str, Any] = {}
    if env.get("BENCH_POLLERS"):
        pollers = int(env["BENCH_POLLERS"])
        options["workflow_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
        options["activity_task_poller_behavior"] = PollerBehaviorSimpleMaximum(pollers)
    if env.get("BENCH_MAX_CACHED"):
        options["max_cached_workflows"] = int(env["BENCH_MAX_CACHED"])
    return options


def main() -> None:
    import worker

    options = lever_options(dict(os.environ))
    print(f"bench.levers: worker with {sorted(options) or 'no changes'}", flush=True)
    worker.Worker = functools.partial(worker.Worker, **options)  # type: ignore[misc,assignment]
    worker.main()


if __name__ == "__main__":
    main()
