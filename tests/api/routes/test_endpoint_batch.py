"""Endpoint batch settings: bounds, the combinations refused with their own codes, PATCH null
turns batching off, revisions diff it, templates carry it."""

from __future__ import annotations

from tests.support.api import expect_error
from tests.support.stack import Stack

HOOK = "https://hooks.shop.example/a"


async def test_batch_round_trips_and_patch_null_turns_it_off(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(tenant["id"], HOOK, batch={"max_events": 20})
    assert created["batch"] == {"max_events": 20, "max_wait_ms": 1000}
    path = f"/v1/endpoints/{created['id']}"
    plain = await stack.endpoint(tenant["id"], HOOK)
    assert plain["batch"] is None

    changed = await stack.api.patch(path, json={"batch": {"max_events": 5, "max_wait_ms": 250}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["batch"] == {"max_events": 5, "max_wait_ms": 250}
    off = await stack.api.patch(path, json={"batch": None})
    assert off.status_code == 200 and off.json()["batch"] is None
    untouched = await stack.api.patch(path, json={"name": "renamed"})
    assert untouched.json()["batch"] is None

    revisions = (await stack.api.get(f"{path}/revisions")).json()["data"]
    diffs = {r["number"]: r["changes"] for r in revisions}
    assert diffs[2]["batch.max_events"] == {"from": 20, "to": 5}
    assert diffs[3]["batch"] == {"from": {"max_events": 5, "max_wait_ms": 250}, "to": None}
    back = await stack.api.post(f"{path}/revisions/1/rollback")
    assert back.status_code == 200, back.text
    assert back.json()["batch"] == {"max_events": 20, "max_wait_ms": 1000}


async def test_batch_bounds_are_validated(stack: Stack) -> None:
    tenant = await stack.tenant()
    for bad in (
        {"max_events": 1},
        {"max_events": 101},
        {"max_wait_ms": 9},
        {"max_wait_ms": 5001},
        {"max_events": 10, "extra": 1},
    ):
        body = {"tenant_id": tenant["id"], "url": HOOK, "batch": bad}
        expect_error(await stack.api.post("/v1/endpoints", json=body), 422, "validation_error")


async def test_batch_needs_json_over_http(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "url": HOOK, "payload_format": "xml", "batch": {}}
    expect_error(await stack.api.post("/v1/endpoints", json=body), 422, "batch_needs_json")
    stream = {
        "tenant_id": tenant["id"],
        "protocol": "redis_stream",
        "targets": [{"url": "redis://127.0.0.1:6379/0", "stream": "hooks"}],
        "batch": {},
    }
    expect_error(await stack.api.post("/v1/endpoints", json=stream), 422, "batch_needs_http")
    # the merged configuration is checked: xml on a batched endpoint, batch on an xml one
    batched = await stack.endpoint(tenant["id"], HOOK, batch={})
    response = await stack.api.patch(
        f"/v1/endpoints/{batched['id']}", json={"payload_format": "xml"}
    )
    expect_error(response, 422, "batch_needs_json")
    xml = await stack.endpoint(tenant["id"], HOOK, payload_format="xml")
    response = await stack.api.patch(f"/v1/endpoints/{xml['id']}", json={"batch": {}})
    expect_error(response, 422, "batch_needs_json")


async def test_a_template_carries_batch_settings(stack: Stack) -> None:
    tenant = await stack.tenant()
    config = {"batch": {"max_events": 50, "max_wait_ms": 200}}
    response = await stack.api.post(
        "/v1/endpoint-templates",
        json={"tenant_id": tenant["id"], "name": "batched", "config": config},
    )
    assert response.status_code == 201, response.text
    template = response.json()
    assert template["config"]["batch"] == config["batch"]
    endpoint = await stack.endpoint(tenant["id"], HOOK, template_id=template["id"])
    assert endpoint["batch"] == config["batch"]
    xml = {"tenant_id": tenant["id"], "name": "x", "config": {**config, "payload_format": "xml"}}
    expect_error(await stack.api.post("/v1/endpoint-templates", json=xml), 422, "validation_error")
    # a template's xml with a body's batch (or the other way round) is the endpoint's rule
    plain = await stack.api.post(
        "/v1/endpoint-templates",
        json={"tenant_id": tenant["id"], "name": "xml", "config": {"payload_format": "xml"}},
    )
    body = {"tenant_id": tenant["id"], "url": HOOK, "template_id": plain.json()["id"], "batch": {}}
    expect_error(await stack.api.post("/v1/endpoints", json=body), 422, "batch_needs_json")
