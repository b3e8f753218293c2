"""Metric names and values after a scenario: accepted, duplicate and rejected events, a
retried delivery, a dead letter."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry, status_event

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _attempts(samples: Samples, status_class: str) -> float:
    key = (("status_class", status_class), ("trigger", "scheduled"))
    return samples.get(("goutong_attempts_total", key), 0)


async def test_metrics_after_a_scenario(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url, retry=fast_retry())
    await stack.endpoint(tenant["id"], second_receiver.url)
    receiver.answer(Answer(status=503))  # one retry before delivery
    second_receiver.default = Answer(status=404)  # fail fast: dead letter
    event = status_event(tenant_id=tenant["id"], id="m-1")
    accepted = (await stack.api.post("/v1/events", json=event)).json()
    assert (await stack.api.post("/v1/events", json=event)).json()["duplicate"]
    bad = status_event(tenant_id=tenant["id"], message_id="")
    assert (await stack.api.post("/v1/events", json=bad)).status_code == 422
    first, second = accepted["callback_ids"]
    states = {
        (await stack.wait_status(c, "delivered", "dead_lettered"))["status"]
        for c in (first, second)
    }
    assert states == {"delivered", "dead_lettered"}

    api = _samples((await stack.api.get("/metrics")).text)
    for result in ("accepted", "duplicate", "rejected"):
        assert api[("goutong_events_total", (("result", result),))] == 1, result
    assert api[("goutong_callbacks_started_total", ())] == 2

    worker = _samples(generate_latest(stack.worker_metrics.registry).decode())
    assert _attempts(worker, "5xx") == 1
    assert _attempts(worker, "4xx") == 1
    assert _attempts(worker, "2xx") == 1
    outcome = "goutong_callback_outcomes_total"
    assert worker[(outcome, (("outcome", "delivered"),))] == 1
    assert worker[(outcome, (("outcome", "dead_lettered"),))] == 1
    assert worker[("goutong_accept_to_delivery_seconds_count", ())] == 1
    per_callback = "goutong_attempts_per_delivered_callback_bucket"
    assert worker[(per_callback, (("le", "1.0"),))] == 0
    assert worker[(per_callback, (("le", "2.0"),))] == 1
    assert worker[("goutong_attempt_duration_seconds_count", ())] == 3
