"""RecoveryWorkflow's I/O: a bulk recovery's filters and progress, and its pages."""

# No `from __future__ import annotations` here: the SDK resolves these hints on every payload,
# and string annotations cost ~5x more to resolve (tests/core/test_contracts.py keeps it so).

from dataclasses import dataclass
from datetime import datetime

__all__ = ["RecoveryInput", "RecoveryPage", "RecoveryPageResult", "RecoveryProgress"]


@dataclass
class RecoveryInput:
    """A bulk recovery: which callbacks (filters, ids only) and how far it has come."""

    recovery_id: str
    tenant_id: str | None = None
    endpoint_id: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_delivered: bool = False  # replay delivered callbacks too
    actor: str = ""
    page_size: int = 100
    cursor: str | None = None  # continue-as-new: where the previous run stopped
    processed: int = 0
    retried: int = 0
    skipped: int = 0


@dataclass
class RecoveryPage:
    input: RecoveryInput
    cursor: str | None


@dataclass
class RecoveryPageResult:
    processed: int
    retried: int
    skipped: int
    next_cursor: str | None


@dataclass
class RecoveryProgress:
    recovery_id: str
    tenant_id: str | None
    state: str  # running, completed, cancelled
    processed: int
    retried: int
    skipped: int
