"""Linkage rules, suppressions and the audit log through both clients, against the real API."""

from __future__ import annotations

import asyncio

import pytest

from client import ApiError, AsyncGouTongClient, GouTongClient
from tests.support.stack import ADMIN_KEY, Stack


def _sync_round(client: GouTongClient, tenant: str) -> None:
    rule = client.linkage_rules.create(
        tenant_id=tenant,
        name="unsubscribes",
        triggers=["event"],
        filter={"event_types": ["message.behavior.unsubscribe"]},
        action={"kind": "suppress"},
    )
    assert client.linkage_rules.get(rule.id).action == {"kind": "suppress"}
    assert client.linkage_rules.update(rule.id, enabled=False).enabled is False
    assert [r.id for r in client.linkage_rules.iter(tenant=tenant, limit=1)] == [rule.id]
    assert client.linkage_rules.list(tenant=tenant).data[0].name == "unsubscribes"

    entry = client.suppressions.add(tenant_id=tenant, recipient="+8613800000001", channel="sms")
    assert client.suppressions.check("+8613800000001", tenant=tenant).suppressed
    assert not client.suppressions.check("+8613800000002", tenant=tenant).suppressed
    assert [s.id for s in client.suppressions.iter(tenant=tenant)] == [entry.id]
    client.suppressions.remove(entry.id)
    assert client.suppressions.list(tenant=tenant).data == []
    client.linkage_rules.delete(rule.id)
    with pytest.raises(ApiError) as gone:
        client.linkage_rules.get(rule.id)
    assert gone.value.status == 404

    actions = [e.action for e in client.audit.iter(tenant=tenant)]
    assert {"linkage_rule.create", "suppression.add", "suppression.remove"} <= set(actions)
    page = client.audit.list(tenant=tenant, action="suppression.", limit=1)
    assert len(page.data) == 1 and page.data[0].action.startswith("suppression.")


async def test_linkage_suppressions_and_audit_sync_and_async(stack: Stack, api_url: str) -> None:
    tenant = (await stack.tenant())["id"]
    with GouTongClient(api_url, ADMIN_KEY) as client:
        await asyncio.to_thread(_sync_round, client, tenant)

    async with AsyncGouTongClient(api_url, ADMIN_KEY) as aclient:
        rule = await aclient.linkage_rules.create(
            tenant_id=tenant, name="ops", triggers=["dead_lettered"], action={"kind": "notify"}
        )
        assert (await aclient.linkage_rules.get(rule.id)).triggers == ["dead_lettered"]
        assert (await aclient.linkage_rules.update(rule.id, name="ops-2")).name == "ops-2"
        assert [r.id async for r in aclient.linkage_rules.iter(tenant=tenant)] == [rule.id]
        assert (await aclient.linkage_rules.list(tenant=tenant)).data[0].id == rule.id
        await aclient.linkage_rules.delete(rule.id)

        entry = await aclient.suppressions.add(tenant_id=tenant, recipient="a@example.com")
        assert (await aclient.suppressions.check("a@example.com", tenant=tenant)).suppressed
        assert [s.id async for s in aclient.suppressions.iter(tenant=tenant)] == [entry.id]
        assert (await aclient.suppressions.list(tenant=tenant)).data[0].id == entry.id
        await aclient.suppressions.remove(entry.id)

        entries = [e async for e in aclient.audit.iter(tenant=tenant, action="linkage_rule.")]
        assert {e.action for e in entries} >= {"linkage_rule.create", "linkage_rule.delete"}
        assert (await aclient.audit.list(resource=rule.id)).data[0].resource == rule.id
