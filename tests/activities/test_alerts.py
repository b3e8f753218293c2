"""The structured, masked log line of every alert fire and resolve."""

from __future__ import annotations

import json
import logging

from activities.alerts import log_transition
from core.masking import configure_masking, rules_from_settings
from core.settings import Settings
from runtime.logs import JsonFormatter
from store.alert_models import Alert


class _Lines(logging.Handler):
    """Formats at emit time, as the process's stream handler does (the context is live then)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(JsonFormatter().format(record)))


def test_a_fire_logs_one_masked_line_with_the_alert_fields() -> None:
    configure_masking(rules_from_settings(Settings(_env_file=None)))  # type: ignore[call-arg]
    alert = Alert(
        id="al_1",
        tenant_id="tnt_1",
        rule_id="ar_1",
        rule_name="page +8613800138000",  # whatever a rule name holds, the line is masked
        kind="dead_letters_over",
        endpoint_id="ep_1",
        state="firing",
        threshold=2,
    )
    handler = _Lines()
    logger = logging.getLogger("goutong.alerts")
    logger.addHandler(handler)
    try:
        log_transition(alert, "fired", 3)
    finally:
        logger.removeHandler(handler)
    [line] = handler.lines
    assert line["level"] == "warning" and line["logger"] == "goutong.alerts"
    assert {k: line[k] for k in ("alert_id", "alert", "alert_kind", "rule_id", "endpoint_id")} == {
        "alert_id": "al_1",
        "alert": "fired",
        "alert_kind": "dead_letters_over",
        "rule_id": "ar_1",
        "endpoint_id": "ep_1",
    }
    assert line["tenant_id"] == "tnt_1"
    message = str(line["msg"])
    assert message.startswith("alert fired: dead_letters_over of endpoint ep_1")
    assert "value 3, threshold 2" in message and "13800138000" not in message
