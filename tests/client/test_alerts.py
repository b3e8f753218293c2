"""Alert rules and alerts through both clients, against the real API and store."""

from __future__ import annotations

import asyncio

import pytest

from client import ApiError, AsyncGouTongClient, GouTongClient
from store.alerts import Subject, open_alert, resolve_alert
from store.db import Database
from store.types import utcnow
from tests.support.stack import ADMIN_KEY, Stack


async def _seed_alerts(stack: Stack, tenant: str, endpoint: str, rule: str) -> list[str]:
    """A firing and a resolved alert of ``rule``, written as the evaluator writes them."""
    db = Database(stack.settings.resolved_database_url())
    ids = []
    try:
        for n, resolve in ((0, True), (1, False)):
            subject = Subject(tenant, rule, "dead", "dead_letters_over", f"{endpoint}", 2, 600)
            async with db.session() as session:
                alert = await open_alert(
                    session, subject, firing=True, value=3 + n, since=None, now=utcnow()
                )
                assert alert is not None
                ids.append(alert.id)
                if resolve:
                    await resolve_alert(session, alert, value=0, now=utcnow())
    finally:
        await db.dispose()
    return ids


def _sync_round(client: GouTongClient, tenant: str, endpoint: str) -> str:
    rule = client.alert_rules.create(
        tenant_id=tenant, name="dead", kind="dead_letters_over", threshold=2, window_seconds=600
    )
    assert (rule.kind, rule.threshold, rule.secret) == ("dead_letters_over", 2, None)
    assert client.alert_rules.get(rule.id).window_seconds == 600
    changed = client.alert_rules.update(rule.id, endpoint_id=endpoint, threshold=4)
    assert (changed.endpoint_id, changed.threshold) == (endpoint, 4)
    assert [r.id for r in client.alert_rules.iter(tenant=tenant, limit=1)] == [rule.id]
    assert client.alert_rules.list(tenant=tenant).data[0].name == "dead"
    with pytest.raises(ApiError) as refused:
        client.alert_rules.update(rule.id, threshold=2.5)
    assert (refused.value.status, refused.value.code) == (422, "invalid_alert_rule")
    return rule.id


async def test_alert_rules_and_alerts_sync_and_async(stack: Stack, api_url: str) -> None:
    tenant = (await stack.tenant())["id"]
    endpoint = (await stack.endpoint(tenant, "http://127.0.0.1:9/x"))["id"]
    with GouTongClient(api_url, ADMIN_KEY) as client:
        rule_id = await asyncio.to_thread(_sync_round, client, tenant, endpoint)
        resolved, firing = await _seed_alerts(stack, tenant, endpoint, rule_id)

        def read_alerts() -> None:
            assert [a.id for a in client.alerts.list(tenant=tenant).data] == [firing, resolved]
            assert [a.id for a in client.alerts.iter(state="firing")] == [firing]
            alert = client.alerts.get(resolved)
            assert (alert.state, alert.value, alert.rule_id) == ("resolved", 3, rule_id)
            assert alert.resolved_at is not None and alert.fired_at is not None

        await asyncio.to_thread(read_alerts)

    async with AsyncGouTongClient(api_url, ADMIN_KEY) as aclient:
        rule = await aclient.alert_rules.create(
            tenant_id=tenant, name="stuck", kind="breaker_open_longer_than", threshold=600
        )
        assert (await aclient.alert_rules.get(rule.id)).window_seconds is None
        assert (await aclient.alert_rules.update(rule.id, enabled=False)).enabled is False
        assert {r.id async for r in aclient.alert_rules.iter(tenant=tenant)} == {rule.id, rule_id}
        assert len((await aclient.alert_rules.list(tenant=tenant)).data) == 2
        await aclient.alert_rules.delete(rule.id)
        page = await aclient.alerts.list(state="resolved", endpoint=endpoint, rule=rule_id)
        assert [a.id for a in page.data] == [resolved]
        assert [a.id async for a in aclient.alerts.iter(kind="dead_letters_over")] == [
            firing,
            resolved,
        ]
        assert (await aclient.alerts.get(firing)).state == "firing"
        with pytest.raises(ApiError) as missing:
            await aclient.alerts.get("al_missing")
        assert missing.value.code == "alert_not_found"
