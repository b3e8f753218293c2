"""Operational events: once per key, only to endpoints that name them, signed like the rest."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.event_types import check_schema, first_problem
from runtime.operational import emit_operational_event
from tests.support.receiver import Receiver
from tests.support.stack import Stack

BUILTIN_SCHEMAS = {b.name: b.schema for b in BUILTIN_EVENT_TYPES}


async def test_emitted_once_per_key_to_subscribers_only(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], receiver.url)  # no filter: message events only
    ops = await stack.endpoint(tenant["id"], second_receiver.url, event_types=["endpoint.*"])
    db, control = stack.app.state.db, stack.app.state.control
    data = {"endpoint_id": "ep_x", "reason": "410 Gone"}
    results = []
    for _ in range(2):
        async with db.session() as session:
            results.append(
                await emit_operational_event(
                    session,
                    control,
                    tenant_id=tenant["id"],
                    event_type="endpoint.disabled",
                    key="endpoint.disabled/ep_x/1",
                    message_id="ep_x",
                    data=data,
                )
            )
    assert [r.duplicate for r in results] == [False, True]
    assert [c.endpoint_id for c in results[0].callbacks] == [ops["id"]]
    [received] = await second_receiver.wait_for(1)
    payload = Webhook(ops["secret"]).verify(received.body, received.headers)
    assert (payload["type"], payload["data"]) == ("endpoint.disabled", data)
    assert receiver.requests == []


async def test_message_types_are_not_operational(stack: Stack) -> None:
    tenant = await stack.tenant()
    async with stack.app.state.db.session() as session:
        with pytest.raises(ValueError, match="not an operational"):
            await emit_operational_event(
                session,
                stack.app.state.control,
                tenant_id=tenant["id"],
                event_type="message.status.sent",
                key="k",
                message_id="m",
                data={},
            )


async def test_switching_an_endpoint_off_and_on_tells_the_operations_endpoint(
    stack: Stack, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    target = await stack.endpoint(tenant["id"], receiver.url, name="billing")
    ops = await stack.endpoint(tenant["id"], second_receiver.url, event_types=["endpoint.*"])
    path = f"/v1/endpoints/{target['id']}"
    response = await stack.api.patch(path, json={"enabled": False, "disabled_reason": "upgrade"})
    assert response.status_code == 200, response.text
    assert (await stack.api.patch(path, json={"name": "billing v2"})).status_code == 200
    assert (await stack.api.patch(path, json={"enabled": True})).status_code == 200
    received = await second_receiver.wait_for(2)
    verified = [Webhook(ops["secret"]).verify(r.body, r.headers) for r in received]
    by_type = {p["type"]: p["data"] for p in verified}
    assert set(by_type) == {"endpoint.disabled", "endpoint.recovered"}
    assert by_type["endpoint.disabled"]["reason"] == "upgrade"
    assert by_type["endpoint.disabled"]["endpoint_id"] == target["id"]
    assert by_type["endpoint.recovered"]["enabled"] is True
    for kind, data in by_type.items():  # what the public catalogue promises receivers
        assert first_problem(check_schema(BUILTIN_SCHEMAS[kind]), data) is None, (kind, data)
    assert receiver.requests == []
