"""Signing in to the console with a plain HTTP client, the way a browser without JS does."""

from __future__ import annotations

import re

import httpx

from tests.support.stack import ADMIN_KEY

__all__ = ["csrf_of", "sign_in", "signed_in"]

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


async def signed_in(client: httpx.AsyncClient, key: str = ADMIN_KEY) -> str:
    """Signs in and returns the CSRF token of the start page."""
    answer = await sign_in(client, key)
    assert answer.status_code == 303, answer.text
    page = await client.get("/console/callbacks")
    assert page.status_code == 200
    return csrf_of(page.text)
