"""POST /v1/events refuses what it cannot carry with a 4xx, never a 500, and stores nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.support.api import callbacks_of, expect_error, field_locs
from tests.support.stack import Stack, status_event

UNUSED_URL = "http://127.0.0.1:9/unused"


@pytest.fixture
async def tenant_id(stack: Stack) -> str:
    """A tenant with a catch-all endpoint, so an accepted event would leave a callback."""
    tenant = await stack.tenant()
    await stack.endpoint(tenant["id"], UNUSED_URL)
    return str(tenant["id"])


async def _refused(stack: Stack, body: Any, status: int = 422, code: str = "validation_error"):
    response = await stack.api.post("/v1/events", json=body)
    return expect_error(response, status, code)


async def test_missing_message_id_names_the_field(stack: Stack, tenant_id: str) -> None:
    event = status_event(tenant_id=tenant_id)
    del event["message_id"]
    body = await _refused(stack, event)
    assert ["body", "message.status.delivered", "message_id"] in field_locs(body)
    assert body["details"][0]["type"] == "missing"
    assert "message_id" in body["message"]
    assert await callbacks_of(stack.api) == []


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


CASES: dict[str, dict[str, Any]] = {
    "unknown type": {"type": "message.status.exploded"},
    "no type": {"type": None},
    "failed without error": {"type": "message.status.failed"},
    "rejected without error": {"type": "message.status.rejected"},
    "naive timestamp": {"timestamp": "2026-11-28T10:00:00"},
    "timestamp out of range in UTC": {"timestamp": "0001-01-01T00:00:00+14:00"},
    "timestamp past year 9999 in UTC": {"timestamp": "9999-12-31T23:59:59-14:00"},
    "extra top-level field": {"priority": "high"},
    "status without channel": {"channel": None},
    "empty message_id": {"message_id": ""},
    "message_id too long for the Temporal index": {"message_id": "m" * 129},
    "empty id": {"id": ""},
    "behaviour detail not an object": {"type": "message.behavior.click", "detail": "x"},
    "latitude out of range": {
        "type": "message.behavior.read",
        "detail": {},
        "location": {"latitude": 91},
    },
    "metadata not an object": {"metadata": ["a"]},
    "metadata nested too deep": {"metadata": {"a": _nested(40)}},
}


@pytest.mark.parametrize("case", list(CASES))
async def test_invalid_event_is_refused(stack: Stack, tenant_id: str, case: str) -> None:
    event = {
        k: v for k, v in status_event(tenant_id=tenant_id, **CASES[case]).items() if v is not None
    }
    body = await _refused(stack, event)
    assert body["details"], body
    assert await callbacks_of(stack.api) == []


@pytest.mark.parametrize(
    ("content", "expected_type"),
    [
        (b'{"type": "message.status.sent",', "json_invalid"),
        (b'{"type": "\xc3"}', "bad_request"),  # not UTF-8
        (b"[]", None),
        (b"null", None),
        (b'"a string"', None),
        # NaN / Infinity parse in Python but are not JSON; a receiver could not read them.
        (
            b'{"type":"message.status.sent","message_id":"m","channel":{"type":"sms"},'
            b'"metadata":{"ratio":NaN}}',
            None,
        ),
        (
            b'{"type":"message.status.sent","message_id":"m","channel":{"type":"sms"},'
            b'"metadata":{"n":-Infinity}}',
            None,
        ),
    ],
)
async def test_unreadable_bodies_are_refused(
    stack: Stack, tenant_id: str, content: bytes, expected_type: str | None
) -> None:
    named = f'"tenant_id":"{tenant_id}","message_id"'.encode()
    response = await stack.api.post(
        "/v1/events",
        content=content.replace(b'"message_id"', named),
        headers={"Content-Type": "application/json"},
    )
    if expected_type == "bad_request":
        expect_error(response, 400, "bad_request")
    else:
        body = expect_error(response, 422, "validation_error")
        assert body["details"][0]["type"] == expected_type or not expected_type
    assert await callbacks_of(stack.api) == []


async def test_deeply_nested_json_is_a_client_error(stack: Stack, tenant_id: str) -> None:
    for depth in (400, 100_000):
        nested = b"[" * depth + b"]" * depth
        event = status_event(tenant_id=tenant_id, metadata={"a": "?"})
        content = json.dumps(event).encode().replace(b'"?"', nested)
        response = await stack.api.post(
            "/v1/events", content=content, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (depth, response.text)
        assert response.json()["code"] in {"validation_error", "bad_request"}


async def test_long_non_ascii_message_id_within_the_limit_is_started(
    stack: Stack, tenant_id: str
) -> None:
    # 128 characters outside the BMP: the largest message_id the Temporal index must hold.
    accepted = await stack.post_event(tenant_id, message_id="\U0001f600" * 128)
    [callback_id] = accepted["callback_ids"]
    description = await stack.handle(callback_id).describe()
    assert description.id == callback_id


async def test_body_over_one_mebibyte_is_refused(stack: Stack, tenant_id: str) -> None:
    limit = stack.settings.max_body_bytes
    assert limit == 1024 * 1024
    event = status_event(tenant_id=tenant_id, metadata={"pad": "x" * limit})
    response = await stack.api.post("/v1/events", json=event)
    body = expect_error(response, 413, "payload_too_large")
    assert str(limit) in body["message"]

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"type":"message.status.sent","metadata":{"pad":"'
        for _ in range(20):
            yield b"x" * 64 * 1024
        yield b'"}}'

    streamed = httpx.Request("POST", "http://api/v1/events", content=chunks())
    assert "content-length" not in streamed.headers
    response = await stack.api.post(
        "/v1/events", content=chunks(), headers={"Content-Type": "application/json"}
    )
    expect_error(response, 413, "payload_too_large")
    assert await callbacks_of(stack.api) == []


async def test_body_just_under_the_limit_is_accepted(stack: Stack, tenant_id: str) -> None:
    event = status_event(tenant_id=tenant_id, metadata={"pad": ""})
    overhead = len(httpx.Request("POST", "http://api", json=event).content)
    event["metadata"]["pad"] = "x" * (stack.settings.max_body_bytes - overhead)
    response = await stack.api.post("/v1/events", json=event)
    assert response.status_code == 202, response.text


async def test_unknown_tenant_and_missing_tenant(stack: Stack) -> None:
    await _refused(stack, status_event(tenant_id="tnt_nope"), 404, "tenant_not_found")
    await _refused(stack, status_event(), 422, "tenant_required")
    response = await stack.api.post("/v1/events/batch", json={"events": [status_event()]})
    expect_error(response, 422, "tenant_required")


async def test_batch_refuses_an_idempotency_key_header(stack: Stack) -> None:
    tenant = await stack.tenant()
    response = await stack.api.post(
        "/v1/events/batch",
        json={"events": [status_event(tenant_id=tenant["id"], id="b-1")]},
        headers={"Idempotency-Key": "whole-batch"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_unsupported"


async def test_status_times_need_a_timezone(stack: Stack) -> None:
    tenant = await stack.tenant()
    body = status_event(tenant_id=tenant["id"], status_times={"sent": "2026-11-28T10:00:00"})
    response = await stack.api.post("/v1/events", json=body)
    assert response.status_code == 422
    assert response.json()["details"][0]["loc"][-1] == "sent"


async def test_invalid_utf8_body_is_a_client_error(stack: Stack) -> None:
    response = await stack.api.post(
        "/v1/events",
        content=b'{"type": "message.status.sent", "message_id": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert 400 <= response.status_code < 500
    assert "code" in response.json()


async def test_lone_surrogates_anywhere_are_refused(stack: Stack) -> None:
    tenant = await stack.tenant()
    for extra in ('"metadata": {"k": ["\\ud800"]}', '"metadata": {"\\udc00": 1}'):
        body = (
            f'{{"tenant_id": "{tenant["id"]}", "type": "message.behavior.click", '
            f'"message_id": "m-1", {extra}}}'
        )
        response = await stack.api.post(
            "/v1/events", content=body.encode(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert "surrogate" in response.json()["message"]
