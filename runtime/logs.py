"""Structured JSON logs: one object per line, with the callback, workflow and tenant of the
activity that wrote it, and secrets masked."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from temporalio import activity

from core.masking import MaskRules, configure_masking, mask_text

__all__ = ["JsonFormatter", "configure_logging", "log_context", "mask"]

log_context: ContextVar[dict[str, str] | None] = ContextVar("goutong_log_context", default=None)
"""Fields added to every line logged in the current task (e.g. tenant_id of a delivery)."""

mask = mask_text
"""Masks a log message with the process's rules (core.masking)."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask(record.getMessage()),
        }
        entry.update(_temporal_context(record))
        entry.update(log_context.get() or {})
        if record.exc_info:
            entry["error"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _temporal_context(record: logging.LogRecord) -> dict[str, str]:
    """workflow_id (= callback id) and run id from Temporal's own log extras, or from the
    activity this line was logged in."""
    extra = getattr(record, "temporal_activity", None) or getattr(record, "temporal_workflow", None)
    if isinstance(extra, dict) and extra.get("workflow_id"):
        context = {"workflow_id": str(extra["workflow_id"])}
    elif activity.in_activity():
        info = activity.info()
        context = {"workflow_id": info.workflow_id or "", "activity": info.activity_type}
    else:
        return {}
    if context["workflow_id"].startswith("cb_"):
        context["callback_id"] = context["workflow_id"]
    return context


def configure_logging(
    level: str = "INFO", fmt: str = "json", masking: MaskRules | None = None
) -> None:
    """Root logging for a GouTong process: JSON lines (default) or plain text, masked."""
    if masking is not None:
        configure_masking(masking)
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
