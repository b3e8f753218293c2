"""POST /v1/events and /v1/events/batch: idempotent ingestion, batches and routing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.support.api import callbacks_of, expect_error, field_locs
from tests.support.receiver import Receiver
from tests.support.stack import Stack, status_event


def _suffix(endpoint_id: str) -> str:
    return endpoint_id.split("_", 1)[1]


def _routed(callback_ids: list[str], endpoints: dict[str, dict[str, Any]]) -> set[str]:
    """The names of the endpoints these callbacks go to (a callback id ends with the
    endpoint's id)."""
    by_suffix = {_suffix(ep["id"]): name for name, ep in endpoints.items()}
    return {by_suffix[cid.rsplit("_", 1)[1]] for cid in callback_ids}


async def _single_delivery(stack: Stack, receiver: Receiver, callback_id: str) -> None:
    """The callback is delivered, and after a quiet moment the receiver still has one request."""
    await stack.wait_status(callback_id, "delivered")
    await asyncio.sleep(1.5)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [callback_id]


# --- idempotency -----------------------------------------------------------------------------


async def test_same_body_id_is_ingested_once(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    body = status_event(tenant_id=tenant["id"], id="order-1-delivered")

    first = await stack.api.post("/v1/events", json=body)
    second = await stack.api.post("/v1/events", json=body)

    assert (first.status_code, second.status_code) == (202, 202)
    one, two = first.json(), second.json()
    assert (one["duplicate"], two["duplicate"]) == (False, True)
    assert one["event_id"] == two["event_id"]
    assert one["external_id"] == two["external_id"] == "order-1-delivered"
    assert len(one["callback_ids"]) == 1 and one["callback_ids"] == two["callback_ids"]
    await _single_delivery(stack, receiver, one["callback_ids"][0])
    assert len(await callbacks_of(stack.api, tenant=tenant["id"])) == 1


async def test_idempotency_key_header_without_body_id(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    body = status_event(tenant_id=tenant["id"])
    headers = {"Idempotency-Key": "req-7f3a"}

    first = (await stack.api.post("/v1/events", json=body, headers=headers)).json()
    second = (await stack.api.post("/v1/events", json=body, headers=headers)).json()
    # The same key in the body is the same event too.
    third = (await stack.api.post("/v1/events", json={**body, "id": "req-7f3a"})).json()

    assert first["external_id"] == "req-7f3a"
    assert [first["duplicate"], second["duplicate"], third["duplicate"]] == [False, True, True]
    assert first["event_id"] == second["event_id"] == third["event_id"]
    assert first["callback_ids"] == second["callback_ids"] == third["callback_ids"]
    await _single_delivery(stack, receiver, first["callback_ids"][0])


async def test_concurrent_posts_of_one_key_make_one_event(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], "http://127.0.0.1:9/unused")
    body = status_event(tenant_id=tenant["id"], id="race")
    responses = await asyncio.gather(*(stack.api.post("/v1/events", json=body) for _ in range(8)))
    assert [r.status_code for r in responses] == [202] * 8
    results = [r.json() for r in responses]
    assert len({r["event_id"] for r in results}) == 1
    assert sorted(r["duplicate"] for r in results) == [False] + [True] * 7
    assert len(await callbacks_of(stack.api)) == 1


async def test_events_without_any_key_are_distinct(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = status_event(tenant_id=tenant["id"])
    first = (await stack.api.post("/v1/events", json=body)).json()
    second = (await stack.api.post("/v1/events", json=body)).json()
    assert first["event_id"] != second["event_id"]
    assert not first["duplicate"] and not second["duplicate"]


async def test_reused_key_with_another_body_conflicts(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = status_event(tenant_id=tenant["id"], message_id="msg-a")
    headers = {"Idempotency-Key": "req-1"}
    assert (await stack.api.post("/v1/events", json=body, headers=headers)).status_code == 202

    other = {**body, "message_id": "msg-b"}
    response = await stack.api.post("/v1/events", json=other, headers=headers)
    expect_error(response, 409, "idempotency_key_reused")
    response = await stack.api.post("/v1/events", json={**other, "id": "req-1"})
    expect_error(response, 409, "idempotency_key_reused")


async def test_body_id_and_another_idempotency_key_are_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], "http://127.0.0.1:9/unused")
    body = status_event(tenant_id=tenant["id"], id="evt-1")
    response = await stack.api.post("/v1/events", json=body, headers={"Idempotency-Key": "evt-2"})
    expect_error(response, 422, "idempotency_key_mismatch")
    assert await callbacks_of(stack.api, tenant=tenant["id"]) == []


# --- batch -----------------------------------------------------------------------------------


def _mixed_events(tenant_id: str) -> list[dict[str, Any]]:
    return [
        status_event(tenant_id=tenant_id, id="b-1", message_id="m-1"),
        {
            "id": "b-2",
            "tenant_id": tenant_id,
            "type": "message.behavior.click",
            "message_id": "m-2",
            "timestamp": "2026-11-28T10:00:00+08:00",
            "channel": {"type": "email"},
            "detail": {"url": "https://shop.example/sale"},
            "device": {"type": "mobile", "os": "iOS 18"},
            "location": {"country": "CN", "city": "Hangzhou", "latitude": 30.27},
        },
        status_event(
            tenant_id=tenant_id,
            id="b-3",
            type="message.status.failed",
            message_id="m-3",
            error={"code": "E_BLOCKED", "description": "number blocked"},
        ),
        {
            "id": "b-4",
            "tenant_id": tenant_id,
            "type": "message.behavior.unsubscribe",
            "message_id": "m-4",
        },
    ]


async def test_batch_accepts_mixed_events_in_order(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    response = await stack.api.post(
        "/v1/events/batch", json={"events": _mixed_events(tenant["id"])}
    )

    assert response.status_code == 202, response.text
    results = response.json()["events"]
    assert [r["external_id"] for r in results] == ["b-1", "b-2", "b-3", "b-4"]
    assert all(len(r["callback_ids"]) == 1 and not r["duplicate"] for r in results)
    assert len({r["event_id"] for r in results}) == 4

    envelopes = {
        json.loads(r.body)["message_id"]: json.loads(r.body) for r in await receiver.wait_for(4)
    }
    click = envelopes["m-2"]
    assert click["type"] == "message.behavior.click"
    assert click["timestamp"] == "2026-11-28T02:00:00Z"
    assert click["data"]["behavior"] == "click"
    assert click["data"]["detail"] == {"url": "https://shop.example/sale"}
    assert click["data"]["device"]["os"] == "iOS 18"
    assert click["data"]["location"]["city"] == "Hangzhou"
    assert envelopes["m-3"]["data"]["status"] == "failed"
    assert envelopes["m-3"]["data"]["error"]["code"] == "E_BLOCKED"
    assert envelopes["m-4"]["data"]["behavior"] == "unsubscribe"


async def test_batch_with_one_invalid_event_stores_nothing(stack: Stack) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], "http://127.0.0.1:9/unused")
    events = _mixed_events(tenant["id"])
    del events[2]["message_id"]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    body = expect_error(response, 422, "validation_error")
    assert any(
        loc[:3] == ["body", "events", 2] and loc[-1] == "message_id" for loc in field_locs(body)
    )
    assert await callbacks_of(stack.api) == []


async def test_batch_is_all_or_none_across_tenants(stack: Stack) -> None:
    first, second = await stack.tenant("a"), await stack.tenant("b")
    for tenant in (first, second):
        await stack.endpoint(tenant["id"], "http://127.0.0.1:9/unused")
    ok = status_event(tenant_id=first["id"])

    missing = status_event(tenant_id="tnt_does_not_exist")
    response = await stack.api.post("/v1/events/batch", json={"events": [ok, missing]})
    expect_error(response, 404, "tenant_not_found")
    assert await callbacks_of(stack.api) == []

    taken = await stack.post_event(second["id"], id="taken", message_id="m-1")
    clash = status_event(tenant_id=second["id"], id="taken", message_id="m-2")
    response = await stack.api.post("/v1/events/batch", json={"events": [ok, clash]})
    expect_error(response, 409, "idempotency_key_reused")
    assert [c["id"] for c in await callbacks_of(stack.api)] == taken["callback_ids"]

    # The same key in two tenants is two events.
    same = status_event(tenant_id=second["id"], id="taken", message_id="m-1")
    events = [{**same, "tenant_id": first["id"]}, same]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    assert response.status_code == 202, response.text
    mine, theirs = response.json()["events"]
    assert (mine["duplicate"], theirs["duplicate"]) == (False, True)
    assert theirs["event_id"] == taken["event_id"] != mine["event_id"]


async def test_batch_limits(stack: Stack) -> None:
    tenant = await stack.tenant()
    events = [status_event(tenant_id=tenant["id"]) for _ in range(1001)]
    response = await stack.api.post("/v1/events/batch", json={"events": events})
    expect_error(response, 422, "validation_error")
    response = await stack.api.post("/v1/events/batch", json={"events": []})
    expect_error(response, 422, "validation_error")
    assert await callbacks_of(stack.api) == []


async def test_duplicate_ids_inside_one_batch(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)
    event = status_event(tenant_id=tenant["id"], id="dup-1")
    other = status_event(tenant_id=tenant["id"], id="solo")
    response = await stack.api.post("/v1/events/batch", json={"events": [event, other, event]})

    assert response.status_code == 202, response.text
    first, solo, again = response.json()["events"]
    assert (first["duplicate"], solo["duplicate"], again["duplicate"]) == (False, False, True)
    assert first["event_id"] == again["event_id"] != solo["event_id"]
    assert first["callback_ids"] == again["callback_ids"]
    await stack.wait_status(first["callback_ids"][0], "delivered")
    await stack.wait_status(solo["callback_ids"][0], "delivered")
    await asyncio.sleep(1.5)
    assert len(receiver.requests) == 2

    changed = {**event, "id": "dup-2"}
    clash = [changed, {**changed, "message_id": "another"}]
    response = await stack.api.post("/v1/events/batch", json={"events": clash})
    expect_error(response, 409, "idempotency_key_reused")
    assert len(await callbacks_of(stack.api)) == 2


# --- routing ---------------------------------------------------------------------------------


async def test_routing_by_type_patterns_channels_and_enabled(stack: Stack) -> None:
    tenant = await stack.tenant()
    url = "http://127.0.0.1:9/unused"  # deliveries are not the point here
    filters: dict[str, dict[str, Any]] = {
        "statuses": {"event_types": ["message.status.*"]},
        "clicks": {"event_types": ["message.behavior.click"]},
        "failures": {"event_types": ["message.status.failed"]},
        "email": {"channels": ["email"]},
        "all": {},
        "disabled": {"enabled": False},
    }
    endpoints = {name: await stack.endpoint(tenant["id"], url, **f) for name, f in filters.items()}

    async def route(**fields: Any) -> set[str]:
        accepted = await stack.post_event(tenant["id"], **fields)
        return _routed(accepted["callback_ids"], endpoints)

    assert await route() == {"statuses", "all"}
    failed = {"type": "message.status.failed", "error": {"code": "E1"}}
    assert await route(channel={"type": "email"}, **failed) == {
        "statuses",
        "failures",
        "email",
        "all",
    }
    click = {"type": "message.behavior.click", "detail": {"url": "https://x.example"}}
    assert await route(channel={"type": "email"}, **click) == {"clicks", "email", "all"}
    assert await route(channel=None, **click) == {"clicks", "all"}
    assert await route(channel=None, type="message.behavior.read", detail={}) == {"all"}

    listed = await callbacks_of(stack.api, endpoint=endpoints["failures"]["id"])
    assert [c["event_type"] for c in listed] == ["message.status.failed"]
    assert await callbacks_of(stack.api, endpoint=endpoints["disabled"]["id"]) == []


async def test_event_without_matching_endpoint_is_accepted(stack: Stack) -> None:
    tenant = await stack.tenant()
    accepted = await stack.post_event(tenant["id"])
    assert accepted["callback_ids"] == [] and accepted["event_id"].startswith("evt_")

    await stack.endpoint(tenant["id"], "http://127.0.0.1:9/unused", channels=["push"])
    accepted = await stack.post_event(tenant["id"])
    assert accepted["callback_ids"] == []
    assert await callbacks_of(stack.api, tenant=tenant["id"]) == []
