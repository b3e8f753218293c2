"""The event type catalogue page."""

from __future__ import annotations

import httpx

from tests.support.console import signed_in
from tests.support.stack import Stack


async def test_the_catalogue_lists_built_in_and_tenant_types(
    stack: Stack, web: httpx.AsyncClient
) -> None:
    tenant = await stack.tenant()
    body = {
        "tenant_id": tenant["id"],
        "name": "order.shipped",
        "description": "an order left the warehouse",
        "schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
    }
    created = await stack.api.post("/v1/event-types", json=body)
    assert created.status_code == 201, created.text
    await signed_in(web)
    page = await web.get(f"/console/event-types?tenant={tenant['id']}")
    assert page.status_code == 200
    assert "message.status.delivered" in page.text and "built-in" in page.text
    assert "order.shipped" in page.text and "an order left the warehouse" in page.text
    assert "order_id" in page.text  # its JSON Schema
    alone = await web.get("/console/event-types")
    assert "order.shipped" not in alone.text
