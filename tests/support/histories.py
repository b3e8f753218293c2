"""Saving workflow histories of test runs for the replay tests.

``make histories`` (GOUTONG_RECORD_HISTORIES=1) rewrites tests/workflows/histories/*.json from
the scenario tests; the replay test replays every file against today's workflow code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from temporalio.client import WorkflowHandle, WorkflowHistory

HISTORY_DIR = Path(__file__).resolve().parent.parent / "workflows" / "histories"


def committed_history(name: str) -> WorkflowHistory:
    """The committed history ``<name>.json``, ready to replay."""
    path = HISTORY_DIR / f"{name}.json"
    return WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))


async def keep_history(handle: WorkflowHandle, name: str) -> None:
    """Writes the closed workflow's history as ``<name>.json`` when recording is on."""
    if os.environ.get("GOUTONG_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    HISTORY_DIR.mkdir(parents=True, exist_ok=True)
    (HISTORY_DIR / f"{name}.json").write_text(history.to_json())
