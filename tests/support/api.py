"""Small assertions shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx


def expect_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Asserts the ``{"code", "message", "details"}`` error shape, its status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    return body


def field_locs(body: dict[str, Any]) -> list[list[Any]]:
    """The ``loc`` of every field error in a ``validation_error`` body."""
    return [list(detail["loc"]) for detail in body["details"]]


async def callbacks_of(api: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    """Every callback GET /v1/callbacks lists for these filters (one page of 500)."""
    response = await api.get("/v1/callbacks", params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data
