"""Signing in to the console with a plain HTTP client, the way a browser without JS does."""

from __future__ import annotations

import re

import httpx

__all__ = ["csrf_of", "sign_in"]

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """GET the sign-in form, POST it with the key; returns the answer (303 when accepted)."""
    form = await client.get("/console/login")
    assert form.status_code == 200, form.text
    token = csrf_of(form.text)
    return await client.post("/console/login", data={"csrf_token": token, "api_key": key})
