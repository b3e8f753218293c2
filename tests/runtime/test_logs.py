"""JSON log lines: context from Temporal and from the delivery, secrets masked."""

from __future__ import annotations

import json
import logging

from runtime.logs import JsonFormatter, log_context, mask
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


def _line(record: logging.LogRecord) -> dict[str, object]:
    return dict(json.loads(JsonFormatter().format(record)))


def test_secrets_keys_and_bearer_tokens_are_masked() -> None:
    text = "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw key gt_abcdefghijkl Bearer eyJhbGciOi.x.y"
    masked = mask(text)
    for leaked in ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "abcdefghijkl", "eyJhbGciOi.x.y"):
        assert leaked not in masked
    assert masked.count("[masked]") == 3


def test_a_line_carries_temporal_and_task_context() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "sent %s", ("gt_0123456789",), None
    )
    record.temporal_activity = {"workflow_id": "cb_a_b", "activity_type": "deliver"}
    token = log_context.set({"tenant_id": "tnt_1"})
    try:
        line = _line(record)
    finally:
        log_context.reset(token)
    assert line["workflow_id"] == line["callback_id"] == "cb_a_b"
    assert line["tenant_id"] == "tnt_1" and line["level"] == "warning"
    assert "0123456789" not in str(line["msg"])


async def test_activity_logs_carry_the_callback_and_tenant(
    stack: Stack, receiver: Receiver, caplog: object
) -> None:
    receiver.answer(Answer(status=500))
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
    await stack.wait_status(callback_id, "delivered")
    records = [r for r in caplog.records if r.name.startswith("temporalio.activity")]  # type: ignore[attr-defined]
    lines = [_line(r) for r in records]
    mine = [line for line in lines if line.get("callback_id") == callback_id]
    assert mine, lines
    assert all(line.get("workflow_id") == callback_id for line in mine)
