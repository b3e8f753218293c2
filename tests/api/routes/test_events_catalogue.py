"""Ingestion checks every event against the event type catalogue: unknown types, data that does
not match the type's schema, versions, tenant isolation and batches."""

from __future__ import annotations

import json
from typing import Any

from tests.api.routes.test_event_types import ORDER_SCHEMA, create_type, tenant_admin_key
from tests.support.api import callbacks_of, expect_error
from tests.support.receiver import Receiver
from tests.support.stack import Stack, status_event

UNUSED_URL = "http://127.0.0.1:9/unused"


def order_event(tenant_id: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"tenant_id": tenant_id, "type": "order.paid", "message_id": "msg-1"}
    event["data"] = {"order_id": "o-1", "amount": 12.5}
    event.update(fields)
    return event


async def test_events_are_delivered_with_their_data_and_type_version(
    stack: Stack, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    await create_type(stack.api, tenant_id=tenant["id"])
    response = await stack.api.post(
        "/v1/event-types/order.paid/versions",
        params={"tenant": tenant["id"]},
        json={"schema": {"type": "object"}},
    )
    assert response.status_code == 201, response.text
    events = [order_event(tenant["id"]), status_event(tenant_id=tenant["id"])]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 202, response.text
    for accepted in response.json()["events"]:
        await stack.wait_status(accepted["callback_ids"][0], "delivered")
    envelopes = {e["type"]: e for e in (json.loads(r.body) for r in await receiver.wait_for(2))}
    custom = envelopes["order.paid"]
    assert custom["data"] == {"order_id": "o-1", "amount": 12.5}
    assert custom["type_version"] == 2
    assert envelopes["message.status.delivered"]["type_version"] == 1


async def test_unknown_type_is_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], UNUSED_URL)
    response = await stack.api.post("/v1/events", json=order_event(tenant["id"]))
    body = expect_error(response, 422, "unknown_event_type")
    assert "order.paid" in body["message"]
    assert body["details"][0]["loc"] == ["body", "type"]
    assert await callbacks_of(stack.api) == []


async def test_data_that_does_not_match_the_schema_is_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], UNUSED_URL)
    await create_type(stack.api, tenant_id=tenant["id"])
    for data, pointer in [
        ({"amount": 1}, ""),
        ({"order_id": "o-1", "amount": -1}, "/amount"),
        ({"order_id": 7}, "/order_id"),
    ]:
        response = await stack.api.post("/v1/events", json=order_event(tenant["id"], data=data))
        body = expect_error(response, 422, "event_data_invalid")
        [detail] = body["details"]
        assert detail["pointer"] == pointer, body
        assert detail["loc"] == ["body", "data", *pointer.split("/")[1:]]
        assert f"at {pointer or '/'}:" in body["message"] and "order.paid v1" in body["message"]
    assert await callbacks_of(stack.api) == []


async def test_builtin_events_that_pass_the_model_pass_their_schema(stack: Stack) -> None:
    tenant = await stack.tenant()
    events = [
        status_event(tenant_id=tenant["id"], status_times={"sent": "2026-11-28T10:00:00+08:00"}),
        status_event(tenant_id=tenant["id"], type="message.status.failed", error={"code": "E1"}),
        {
            "tenant_id": tenant["id"],
            "type": "message.behavior.click",
            "message_id": "m-1",
            "detail": {"url": "https://x.cn/a"},
            "device": {"os": "ios", "brand": "apple"},
            "location": {"latitude": -90, "longitude": 180},
        },
    ]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 202, response.text
    response = await stack.api.post("/v1/events", json={**events[0], "schema_version": 2})
    expect_error(response, 422, "unknown_event_type_version")


async def test_versions_choose_the_schema(stack: Stack) -> None:
    tenant = await stack.tenant()
    await create_type(stack.api, tenant_id=tenant["id"])
    strict = {**ORDER_SCHEMA, "required": ["order_id", "currency"]}
    params = {"tenant": tenant["id"]}
    response = await stack.api.post(
        "/v1/event-types/order.paid/versions", params=params, json={"schema": strict}
    )
    assert response.status_code == 201, response.text

    plain = order_event(tenant["id"])
    response = await stack.api.post("/v1/events", json=plain)  # newest version: needs currency
    body = expect_error(response, 422, "event_data_invalid")
    assert "order.paid v2" in body["message"] and "currency" in body["message"]
    response = await stack.api.post("/v1/events", json={**plain, "id": "a", "schema_version": 1})
    assert response.status_code == 202, response.text
    response = await stack.api.post("/v1/events", json={**plain, "schema_version": 3})
    expect_error(response, 422, "unknown_event_type_version")

    # Deprecating v2 makes v1 the default again, and a deprecated version is still accepted.
    response = await stack.api.post(
        "/v1/event-types/order.paid/deprecate", params=params, json={"version": 2}
    )
    assert response.status_code == 200, response.text
    response = await stack.api.post("/v1/events", json={**plain, "id": "b"})
    assert response.status_code == 202, response.text
    with_currency = {**plain, "id": "c", "schema_version": 2}
    with_currency["data"] = {**plain["data"], "currency": "CNY"}
    response = await stack.api.post("/v1/events", json=with_currency)
    assert response.status_code == 202, response.text


async def test_a_tenant_cannot_post_another_tenants_type(stack: Stack) -> None:
    mine, theirs = await stack.tenant("mine"), await stack.tenant("theirs")
    await create_type(stack.api, tenant_id=theirs["id"])
    response = await stack.api.post("/v1/events", json=order_event(mine["id"]))
    expect_error(response, 422, "unknown_event_type")
    async with stack.with_key(await tenant_admin_key(stack, mine["id"])) as api:
        await create_type(api, schema={"type": "object", "required": ["sku"]})
    producer = await stack.api.post(
        "/v1/api-keys", json={"tenant_id": mine["id"], "role": "producer"}
    )
    assert producer.status_code == 201, producer.text
    async with stack.with_key(producer.json()["key"]) as api:
        response = await api.post("/v1/events", json={**order_event(mine["id"])})
        body = expect_error(response, 422, "event_data_invalid")
        assert "sku" in body["message"]
        response = await api.post("/v1/events", json=order_event(mine["id"], data={"sku": "s"}))
        assert response.status_code == 202, response.text
    response = await stack.api.post("/v1/events", json=order_event(theirs["id"]))
    assert response.status_code == 202, response.text


async def test_batch_lists_every_failing_event_and_stores_none(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], UNUSED_URL)
    await create_type(stack.api, tenant_id=tenant["id"])
    events = [
        order_event(tenant["id"], id="ok-1"),
        order_event(tenant["id"], id="bad-data", data={"amount": "lots"}),
        status_event(tenant_id=tenant["id"], id="ok-2"),
        order_event(tenant["id"], id="bad-type", type="order.lost"),
    ]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    body = expect_error(response, 422, "event_data_invalid")
    assert body["message"].startswith("events[1]: order.paid v1")
    assert [(d["loc"][:3], d["type"]) for d in body["details"]] == [
        (["body", "events", 1], "event_data_invalid"),
        (["body", "events", 3], "unknown_event_type"),
    ]
    assert await callbacks_of(stack.api) == []
    response = await stack.api.post("/v1/events/batch", json={"events": [events[0], events[2]]})
    assert response.status_code == 202, response.text
