"""The quality report over real deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.stats import percentiles
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


def test_percentiles_by_nearest_rank() -> None:
    assert percentiles([]) == {"p50": None, "p95": None, "p99": None}
    values = [float(v) for v in range(1, 101)]
    assert percentiles(values) == {"p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert percentiles([7.0]) == {"p50": 7.0, "p95": 7.0, "p99": 7.0}


async def test_quality_report_per_tenant_and_endpoint(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant, other = await stack.tenant("reported"), await stack.tenant("other")
    good = await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    await stack.endpoint(tenant["id"], second_receiver.url, event_types=["message.status.failed"])
    await stack.endpoint(other["id"], receiver.url)
    receiver.answer(Answer(status=503))  # the first of four callbacks to `good` retries once
    second_receiver.default = Answer(status=410)  # the failed-event endpoint: dead letter
    ids = [(await stack.post_event(tenant["id"]))["callback_ids"][0] for _ in range(3)]
    failed = {"type": "message.status.failed", "error": {"code": "E1", "description": "bad"}}
    ids += (await stack.post_event(tenant["id"], **failed))["callback_ids"]
    await stack.post_event(other["id"])
    for callback_id in ids:
        await stack.wait_status(callback_id, "delivered", "dead_lettered")

    report = (await stack.api.get("/v1/stats", params={"tenant": tenant["id"]})).json()
    assert report["callbacks"] == {"delivered": 4, "dead_lettered": 1}
    assert report["success_rate"] == 0.8
    assert report["attempts"] == 6  # 4 delivered (one after a 503) + 1 dead letter
    assert report["attempt_success_rate"] == round(4 / 6, 4)
    assert report["attempts_per_success"] == 1.25
    assert report["latency_ms"]["p50"] is not None
    assert report["latency_ms"]["p99"] >= report["latency_ms"]["p50"]
    assert {e["error"]: e["count"] for e in report["top_errors"]} == {"HTTP 503": 1, "HTTP 410": 1}

    only_good = await stack.api.get("/v1/stats", params={"endpoint": good["id"]})
    assert only_good.json()["callbacks"] == {"delivered": 4}
    assert only_good.json()["top_errors"] == [{"error": "HTTP 503", "count": 1}]

    past = datetime.now(UTC) - timedelta(days=3)
    window = {
        "tenant": tenant["id"],
        "since": past.isoformat(),
        "until": (past + timedelta(hours=1)).isoformat(),
    }
    empty = (await stack.api.get("/v1/stats", params=window)).json()
    assert empty["callbacks"] == {} and empty["success_rate"] is None
    backwards = {"since": datetime.now(UTC).isoformat(), "until": past.isoformat()}
    response = await stack.api.get("/v1/stats", params=backwards)
    assert response.status_code == 422 and response.json()["code"] == "invalid_window"


async def test_a_tenant_key_sees_only_its_own_report(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    endpoint = await stack.endpoint(theirs["id"], "http://127.0.0.1:9/hook")
    key = (await stack.api.post("/v1/api-keys", json={"tenant_id": mine["id"]})).json()["key"]
    async with stack.with_key(key) as client:
        assert (await client.get("/v1/stats")).json()["tenant_id"] == mine["id"]
        for params in ({"tenant": theirs["id"]}, {"endpoint": endpoint["id"]}):
            response = await client.get("/v1/stats", params=params)
            assert response.status_code == 403, params
