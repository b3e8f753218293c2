"""Tenants, endpoints and the callback listing: CRUD, validation, pagination, filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from core.signing import generate_secret, is_valid_secret
from tests.support.api import callbacks_of, expect_error
from tests.support.receiver import Receiver
from tests.support.stack import Stack, fast_retry

UNUSED_URL = "http://127.0.0.1:9/unused"


async def _all_pages(api: httpx.AsyncClient, path: str, **params: str) -> list[list[str]]:
    """The ids of every page, following next_cursor with limit=2."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query = {"limit": "2", **params, **({"cursor": cursor} if cursor else {})}
        response = await api.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([item["id"] for item in body["data"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert cursor == pages[-1][-1]


def _check_pages(pages: list[list[str]], expected: set[str]) -> None:
    flat = [i for page in pages for i in page]
    assert [len(p) for p in pages[:-1]] == [2] * (len(pages) - 1) and len(pages[-1]) <= 2
    assert flat == sorted(flat, reverse=True)  # newest first
    assert len(flat) == len(set(flat)) and set(flat) == expected


async def test_tenant_crud_and_pagination(stack: Stack) -> None:
    created = [await stack.tenant(f"t{i}") for i in range(5)]
    assert all(t["id"].startswith("tnt_") for t in created)
    _check_pages(await _all_pages(stack.api, "/v1/tenants"), {t["id"] for t in created})

    tenant_id = created[0]["id"]
    assert (await stack.api.get(f"/v1/tenants/{tenant_id}")).json() == created[0]
    response = await stack.api.patch(f"/v1/tenants/{tenant_id}", json={"description": "ERP"})
    assert response.status_code == 200
    patched = response.json()
    assert (patched["name"], patched["description"]) == ("t0", "ERP")
    when = datetime.fromisoformat
    assert when(patched["updated_at"]) > when(created[0]["updated_at"])
    assert patched["created_at"] == created[0]["created_at"]
    for bad in ({"name": ""}, {"id": "tnt_x"}, {"name": "x" * 201}):
        response = await stack.api.patch(f"/v1/tenants/{tenant_id}", json=bad)
        expect_error(response, 422, "validation_error")
    expect_error(await stack.api.post("/v1/tenants", json={}), 422, "validation_error")

    assert (await stack.api.delete(f"/v1/tenants/{tenant_id}")).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        response = await stack.api.request(method, f"/v1/tenants/{tenant_id}", json={})
        expect_error(response, 404, "tenant_not_found")
    for limit in ("0", "501", "x"):
        response = await stack.api.get("/v1/tenants", params={"limit": limit})
        expect_error(response, 422, "validation_error")


async def test_tenant_with_endpoints_cannot_be_deleted(stack: Stack) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], UNUSED_URL)
    response = await stack.api.delete(f"/v1/tenants/{tenant['id']}")
    expect_error(response, 409, "tenant_not_empty")
    assert (await stack.api.get(f"/v1/tenants/{tenant['id']}")).status_code == 200
    assert (await stack.api.delete(f"/v1/endpoints/{endpoint['id']}")).status_code == 204
    assert (await stack.api.delete(f"/v1/tenants/{tenant['id']}")).status_code == 204


async def test_endpoint_crud_and_secret_shown_once(stack: Stack) -> None:
    tenant = await stack.tenant()
    created = await stack.endpoint(
        tenant["id"],
        "https://hooks.shop.example/goutong",
        name="orders",
        event_types=["message.status.*"],
        channels=["sms", "email"],
        headers={"X-Token": "abc"},
        timeout_seconds=5,
        retry={"strategy": "fixed", "interval_seconds": 30, "max_attempts": 4},
    )
    assert created["id"].startswith("ep_") and created["tenant_id"] == tenant["id"]
    secret = created["secret"]
    assert secret.startswith("whsec_") and is_valid_secret(secret)
    assert created["retry"]["strategy"] == "fixed" and created["retry"]["max_attempts"] == 4
    assert created["retry"]["max_duration_seconds"] == 86400  # defaults fill the rest
    assert (created["enabled"], created["timeout_seconds"]) == (True, 5)

    path = f"/v1/endpoints/{created['id']}"
    fetched = await stack.api.get(path)
    listed = await stack.api.get("/v1/endpoints", params={"tenant": tenant["id"]})
    for response in (fetched, listed):
        assert response.status_code == 200 and secret not in response.text
    assert "secret" not in fetched.json()
    assert fetched.json() == {k: v for k, v in created.items() if k != "secret"}

    rotate_by_patch = await stack.api.patch(path, json={"secret": generate_secret()})
    assert rotate_by_patch.status_code == 422  # secrets change through /secret/rotate only
    changes = {"url": "http://127.0.0.1:9/v2", "enabled": False}
    response = await stack.api.patch(path, json=changes)
    assert response.status_code == 200 and "secret" not in response.json()
    patched = response.json()
    assert (patched["url"], patched["enabled"]) == ("http://127.0.0.1:9/v2", False)
    assert patched["event_types"] == ["message.status.*"] and patched["name"] == "orders"
    assert patched["retry"] == created["retry"]
    assert (await stack.api.patch(path, json={"event_types": []})).json()["event_types"] == []

    assert (await stack.api.delete(path)).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        expect_error(await stack.api.request(method, path, json={}), 404, "endpoint_not_found")


async def test_provided_secret_is_kept_and_listing_pages(stack: Stack) -> None:
    tenant, other = await stack.tenant(), await stack.tenant("other")
    secret = generate_secret()
    created = [await stack.endpoint(tenant["id"], UNUSED_URL, secret=secret)]
    assert created[0]["secret"] == secret
    created += [await stack.endpoint(tenant["id"], UNUSED_URL) for _ in range(4)]
    await stack.endpoint(other["id"], UNUSED_URL)
    assert len({e["secret"] for e in created}) == 5
    pages = await _all_pages(stack.api, "/v1/endpoints", tenant=tenant["id"])
    _check_pages(pages, {e["id"] for e in created})
    assert len(await _all_pages(stack.api, "/v1/endpoints")) == 3  # 6 in all


INVALID_ENDPOINTS: dict[str, dict[str, Any]] = {
    "short secret": {"secret": "whsec_c2hvcnQ="},
    "secret without prefix": {"secret": generate_secret().removeprefix("whsec_")},
    "pattern with a partial star": {"event_types": ["message.sta*"]},
    "pattern in capitals": {"event_types": ["Message.Status.Sent"]},
    "pattern with a newline": {"event_types": ["message.status.sent\n"]},
    "reserved webhook- header": {"headers": {"webhook-id": "x"}},
    "reserved Content-Type header": {"headers": {"Content-Type": "text/plain"}},
    "reserved Host header": {"headers": {"host": "evil.example"}},
    "header value with CRLF": {"headers": {"X-A": "a\r\nX-Injected: 1"}},
    "header value with LF": {"headers": {"X-A": "a\nb"}},
    "header name with a newline": {"headers": {"X-A\n": "v"}},
    "header name with a space": {"headers": {"X A": "v"}},
    "ftp url": {"url": "ftp://files.example/x"},
    "not a url": {"url": "hooks.example/x"},
    "url longer than the store holds": {"url": "http://x.example/" + "a" * 2100},
    "zero attempts": {"retry": {"max_attempts": 0}},
    "linear strategy": {"retry": {"strategy": "linear"}},
    "too many attempts": {"retry": {"max_attempts": 101}},
    "sub-second interval": {"retry": {"initial_interval_seconds": 0.5}},
    "unknown retry field": {"retry": {"jitter": True}},
    "timeout too long": {"timeout_seconds": 61},
    "unknown field": {"colour": "red"},
    "empty targets": {"targets": []},
}


@pytest.mark.parametrize("case", list(INVALID_ENDPOINTS))
async def test_invalid_endpoint_is_refused(stack: Stack, case: str) -> None:
    tenant = await stack.tenant()
    body = {"tenant_id": tenant["id"], "url": UNUSED_URL, **INVALID_ENDPOINTS[case]}
    expect_error(await stack.api.post("/v1/endpoints", json=body), 422, "validation_error")
    assert (await stack.api.get("/v1/endpoints")).json()["data"] == []

    endpoint = await stack.endpoint(tenant["id"], UNUSED_URL)
    changes = INVALID_ENDPOINTS[case]
    response = await stack.api.patch(f"/v1/endpoints/{endpoint['id']}", json=changes)
    expect_error(response, 422, "validation_error")
    after = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert after == {k: v for k, v in endpoint.items() if k != "secret"}


async def test_endpoint_tenant_must_exist_and_be_named(stack: Stack) -> None:
    response = await stack.api.post("/v1/endpoints", json={"url": UNUSED_URL})
    expect_error(response, 422, "tenant_required")
    body = {"tenant_id": "tnt_nope", "url": UNUSED_URL}
    expect_error(await stack.api.post("/v1/endpoints", json=body), 404, "tenant_not_found")


async def test_missing_callbacks_are_404(stack: Stack) -> None:
    expect_error(await stack.api.get("/v1/callbacks/cb_nope"), 404, "callback_not_found")
    for action in ("retry", "pause", "resume", "cancel"):
        response = await stack.api.post(f"/v1/callbacks/cb_nope/{action}")
        expect_error(response, 404, "callback_not_found")
    response = await stack.api.post("/v1/callbacks/cb_nope/redirect", json={"url": UNUSED_URL})
    expect_error(response, 404, "callback_not_found")
    response = await stack.api.post("/v1/callbacks/cb_nope/explode")
    expect_error(response, 422, "validation_error")


async def test_callback_listing_filters_and_pagination(stack: Stack, receiver: Receiver) -> None:
    tenant = await stack.tenant()
    good = await stack.endpoint(tenant["id"], receiver.url)
    dead = await stack.endpoint(
        tenant["id"],
        UNUSED_URL,
        event_types=["message.behavior.click"],
        retry=fast_retry(max_attempts=1),
    )
    delivered = [await stack.post_event(tenant["id"]) for _ in range(3)]
    click = await stack.post_event(
        tenant["id"], type="message.behavior.click", detail={"url": "https://x.example"}
    )
    every = [cid for accepted in [*delivered, click] for cid in accepted["callback_ids"]]
    assert len(every) == 5
    [dead_id] = [cid for cid in click["callback_ids"] if cid.endswith(dead["id"][3:])]
    for cid in every:
        await stack.wait_status(cid, "dead_lettered" if cid == dead_id else "delivered")

    async def ids(**params: str) -> set[str]:
        return {c["id"] for c in await callbacks_of(stack.api, **params)}

    assert await ids(status="dead_lettered") == {dead_id}
    assert await ids(status="delivered") == set(every) - {dead_id}
    assert await ids(status="pending") == set()
    assert await ids(endpoint=dead["id"]) == {dead_id}
    assert await ids(event_type="message.behavior.click") == set(click["callback_ids"])
    status_type = {"event_type": "message.status.delivered", "endpoint": good["id"]}
    assert await ids(**status_type) == {a["callback_ids"][0] for a in delivered}
    assert await ids(tenant="tnt_other") == set()
    _check_pages(await _all_pages(stack.api, "/v1/callbacks"), set(every))
    _check_pages(
        await _all_pages(stack.api, "/v1/callbacks", status="delivered"), set(every) - {dead_id}
    )
    response = await stack.api.get("/v1/callbacks", params={"status": "lost"})
    expect_error(response, 422, "validation_error")

    done = delivered[0]["callback_ids"][0]
    await stack.handle(done).result()  # the workflow has closed, not only the stored status
    response = await stack.api.post(f"/v1/callbacks/{done}/retry")
    expect_error(response, 422, "callback_not_retryable")
    expect_error(await stack.api.post(f"/v1/callbacks/{done}/pause"), 409, "callback_closed")


async def test_urls_with_control_characters_are_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    for url in ("http://127.0.0.1:9/a\r\nX-Injected: 1", "http://127.0.0.1:9/\x00", "ftp://x/"):
        response = await stack.api.post(
            "/v1/endpoints", json={"tenant_id": tenant["id"], "url": url}
        )
        assert response.status_code == 422, url
