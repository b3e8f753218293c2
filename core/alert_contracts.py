"""AlertsWorkflow's I/O: its runs, each evaluation of the alert rules, the webhook sends."""

# No `from __future__ import annotations` here: the SDK resolves these hints on every payload,
# and string annotations cost ~5x more to resolve (tests/core/test_contracts.py keeps it so).

from dataclasses import dataclass

__all__ = [
    "AlertsEvaluation",
    "AlertsInput",
    "AlertsSend",
    "AlertsSent",
    "AlertsSummary",
    "AlertsTick",
]


@dataclass
class AlertsInput:
    """What an AlertsWorkflow run starts with: how many runs came before it (continue-as-new)."""

    run: int = 0


@dataclass
class AlertsTick:
    """One evaluation of every alert rule."""

    run: int
    iteration: int


@dataclass
class AlertsEvaluation:
    """What one evaluation did, and the evaluator's settings as the worker has them now."""

    fired: int
    resolved: int
    unsent: int  # alert webhooks waiting to be (re)sent
    interval_seconds: float
    iterations_per_run: int


@dataclass
class AlertsSend:
    """Send the alert webhooks waiting in the outbox (no options yet)."""


@dataclass
class AlertsSent:
    sent: int
    failed: int


@dataclass
class AlertsSummary:
    """What an AlertsWorkflow run would return (it continues as new instead)."""

    run: int
    iterations: int
