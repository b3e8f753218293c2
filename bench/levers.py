"""Our worker with one lever pulled, for ``--scenario levers`` only: ``python -m bench.levers``.

The product's ``worker.main()`` runs unchanged, except that the ``Worker`` it builds gets the
options named in the environment:

- ``BENCH_SANDBOX=0``: ``UnsandboxedWorkflowRunner`` (what a complete sandbox pass-through
  would approach: no re-import of the workflow module per run, no import checks);
- ``BENCH_POLLERS=N``: N workflow-task and N activity-task pollers (default 5 each);
- ``BENCH_MAX_CACHED=N``: ``max_cached_workflows`` (sticky cache size).

Nothing here is used by the product or the default scenarios.
"""

from __future__ import annotations

import functools
import os
from typing import Any

from temporalio.worker import PollerBehaviorSimpleMaximum, UnsandboxedWorkflowRunner

__all__ = ["LEVERS", "lever_options", "main"]

LEVERS: dict[str, dict[str, str]] = {
    "baseline": {},
    "no-sandbox": {"BENCH_SANDBOX": "0"},
    "pollers-20": {"BENCH_POLLERS": "20"},
}


def lever_options(env: dict[str, str]) -> dict[str, Any]:
    """The extra ``Worker`` keyword arguments the environment asks for."""
    options: dict[str, Any] = {}
    if env.get("BENCH_SANDBOX") == "0":
        options["workflow_runner"] = UnsandboxedWorkflowRunner()
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
