"""Small assertions shared by the API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.support.stack import Stack


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


@asynccontextmanager
async def app_client(
    stack: Stack, credential: str | None, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A second API on the same store and Temporal with other settings; the peer is 127.0.0.1."""
    async with peer_client(stack, credential, ("127.0.0.1", 123), **settings) as client:
        yield client


@asynccontextmanager
async def peer_client(
    stack: Stack, credential: str | None, peer: tuple[str, int], **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """``app_client`` whose requests come from ``peer`` (host, port) as the API sees it."""
    from api.app import create_app

    app = create_app(stack.settings.model_copy(update=settings))
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=peer)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://api", headers=headers
        ) as client:
            yield client
