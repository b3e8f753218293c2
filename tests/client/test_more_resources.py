"""Linkage rules, suppressions, the audit log and endpoint templates through both clients."""

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


async def test_endpoint_templates_sync_and_async(stack: Stack, api_url: str) -> None:
    tenant = (await stack.tenant())["id"]

    def sync_round(client: GouTongClient) -> str:
        template = client.templates.create(
            tenant_id=tenant, name="sms", config={"event_types": ["message.status.*"]}
        )
        assert client.templates.get(template.id).config.event_types == ["message.status.*"]
        changed = client.templates.update(template.id, description="for SMS receivers")
        assert (changed.description, changed.revision) == ("for SMS receivers", 2)
        assert template.id in [t.id for t in client.templates.iter(tenant=tenant, limit=1)]
        endpoint = client.endpoints.create(
            tenant_id=tenant, url="http://127.0.0.1:9/x", template_id=template.id
        )
        assert endpoint.event_types == ["message.status.*"]
        return template.id

    with GouTongClient(api_url, ADMIN_KEY) as client:
        template_id = await asyncio.to_thread(sync_round, client)
    async with AsyncGouTongClient(api_url, ADMIN_KEY) as aclient:
        assert (await aclient.templates.get(template_id)).name == "sms"
        assert (await aclient.templates.update(template_id, name="sms-2")).revision == 3
        assert [t.id async for t in aclient.templates.iter(tenant=tenant)] == [template_id]
        assert (await aclient.templates.list(tenant=tenant)).data[0].id == template_id
        await aclient.templates.delete(template_id)
        with pytest.raises(ApiError) as gone:
            await aclient.templates.get(template_id)
        assert gone.value.status == 404


async def test_event_type_catalogue_sync_and_async(stack: Stack, api_url: str) -> None:
    tenant = (await stack.tenant())["id"]
    schema = {"type": "object", "properties": {"order_id": {"type": "string"}}}

    def sync_round(client: GouTongClient) -> None:
        created = client.event_types.create(tenant_id=tenant, name="order.paid", data_schema=schema)
        assert (created.version, created.tenant_id, created.data_schema) == (1, tenant, schema)
        names = [t.name for t in client.event_types.list(tenant=tenant).data]
        assert "order.paid" in names and "message.status.delivered" in names
        v2 = client.event_types.add_version("order.paid", {"type": "object"}, tenant=tenant)
        assert v2.version == 2
        published = client.event_types.publish("order.paid", tenant=tenant)
        assert published.current_version == 2 and all(v.published for v in published.versions)
        listed = client.event_types.catalog(tenant=tenant).event_types
        assert ("order.paid", 2) in [(e.name, e.version) for e in listed]

    with GouTongClient(api_url, ADMIN_KEY) as client:
        await asyncio.to_thread(sync_round, client)
    async with AsyncGouTongClient(api_url, ADMIN_KEY) as aclient:
        detail = await aclient.event_types.get("order.paid", tenant=tenant)
        assert [v.version for v in detail.versions] == [1, 2]
        gone = await aclient.event_types.deprecate("order.paid", version=1, tenant=tenant)
        assert [v.deprecated for v in gone.versions] == [True, False]
        hidden = await aclient.event_types.publish("order.paid", False, tenant=tenant)
        assert not any(v.published for v in hidden.versions)
        public = await aclient.event_types.catalog(tenant=tenant)
        assert "order.paid" not in [e.name for e in public.event_types]
        assert (await aclient.event_types.list()).data
        with pytest.raises(ApiError) as reserved:
            await aclient.event_types.create(
                tenant_id=tenant, name="message.status.mine", data_schema=schema
            )
        assert reserved.value.status == 422
        paid = {"tenant_id": tenant, "type": "order.paid", "message_id": "o-1", "data": {}}
        assert not (await aclient.events.send(paid)).duplicate  # version 2: any object
        with pytest.raises(ApiError) as unknown:
            await aclient.events.send(dict(paid, type="order.lost"))
        assert unknown.value.code == "unknown_event_type"
