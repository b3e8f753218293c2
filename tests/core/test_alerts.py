"""The alert decisions: pend, fire, resolve, drop; and the webhook body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.alerts import Observation, alert_body, decide

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


def test_a_condition_without_duration_fires_at_once_and_resolves_when_it_stops() -> None:
    holds, stops = Observation(True, 3.0), Observation(False, 0.0)
    assert decide(holds, None, NOW).action == "fire"
    assert decide(holds, "firing", NOW).action == "none"  # one open alert per rule and endpoint
    assert decide(stops, "firing", NOW).action == "resolve"
    assert decide(stops, None, NOW).action == "none"


def test_a_duration_condition_is_pending_until_it_lasted_long_enough() -> None:
    since = NOW - timedelta(seconds=30)
    young = Observation(True, 0.0, since=since, hold_seconds=60)
    assert decide(young, None, NOW).action == "pend"
    assert decide(young, "pending", NOW).action == "none"
    assert decide(young, "pending", NOW + timedelta(seconds=30)).action == "fire"
    assert decide(Observation(False, 0.0, hold_seconds=60), "pending", NOW).action == "drop"
    old = Observation(True, 0.0, since=NOW - timedelta(hours=1), hold_seconds=60)
    assert decide(old, None, NOW).action == "fire"  # long enough already: fires at once
    assert decide(old, None, NOW).since == old.since


def test_webhook_body() -> None:
    body = alert_body(
        message_id="msg_1",
        transition="fired",
        at=NOW,
        alert={"tenant_id": "tnt_1", "fired_at": NOW, "resolved_at": None, "value": 2.0},
    )
    assert body == {
        "id": "msg_1",
        "type": "alert.fired",
        "version": "1",
        "timestamp": "2026-11-29T04:00:00Z",
        "tenant_id": "tnt_1",
        "data": {
            "tenant_id": "tnt_1",
            "fired_at": "2026-11-29T04:00:00Z",
            "resolved_at": None,
            "value": 2.0,
        },
    }
