"""Every error is JSON ``{"code", "message", "details"}``; health endpoints answer."""

from __future__ import annotations

import time
from contextlib import AsyncExitStack
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.support.api import expect_error
from tests.support.receiver import free_port
from tests.support.stack import Stack, make_settings, open_stack, status_event

URL = "http://127.0.0.1:9/unused"


async def test_unknown_route_is_json_404(stack: Stack) -> None:
    for path in ("/nope", "/v1/nope", "/v2/events"):
        body = expect_error(await stack.api.get(path), 404, "not_found")
        assert set(body) <= {"code", "message", "details"}


async def test_wrong_method_is_json_405(stack: Stack) -> None:
    response = await stack.api.put("/v1/events", json={})
    expect_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]
    expect_error(await stack.api.delete("/v1/callbacks"), 405, "method_not_allowed")


async def test_health_needs_no_key(stack: Stack) -> None:
    async with stack.with_key(None) as anonymous:
        healthz = await anonymous.get("/healthz")
        readyz = await anonymous.get("/readyz")
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    assert (readyz.status_code, readyz.json()) == (200, {"status": "ready"})


async def test_openapi_documents_the_v1_routes(stack: Stack) -> None:
    response = await stack.api.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/v1/events", "/v1/events/batch", "/v1/endpoints", "/v1/callbacks"} <= set(paths)


async def test_readyz_reports_an_unreachable_temporal(
    tmp_path: Path, temporal_env: WorkflowEnvironment
) -> None:
    settings = make_settings(tmp_path, f"127.0.0.1:{free_port()}")
    async with AsyncExitStack() as exits:
        lonely = await open_stack(exits, settings, temporal_env.client, worker=False)
        started = time.monotonic()
        response = await lonely.api.get("/readyz")
        assert time.monotonic() - started < 30
        expect_error(response, 503, "temporal_unavailable")
        assert (await lonely.api.get("/healthz")).status_code == 200


async def test_values_the_store_cannot_hold_are_client_errors(stack: Stack) -> None:
    """A NUL character is fine for SQLite but not for PostgreSQL text: 422, never a 500."""
    tenant = await stack.tenant()
    postgres = stack.settings.resolved_database_url().startswith("postgresql")
    requests = [
        ("POST", "/v1/events", status_event(tenant_id=tenant["id"], message_id="a\x00b")),
        ("POST", "/v1/tenants", {"name": "a\x00b"}),
        ("POST", "/v1/endpoints", {"tenant_id": tenant["id"], "url": URL, "name": "\x00"}),
        ("GET", "/v1/endpoints/ep_%00", None),
        ("GET", "/v1/callbacks?cursor=cb_%00", None),
        ("DELETE", "/v1/api-keys/key_%00", None),
    ]
    for method, url, body in requests:
        response = await stack.api.request(method, url, json=body)
        assert response.status_code < 500, (method, url, response.text)
        if postgres:
            expect_error(response, 422, "invalid_input")
