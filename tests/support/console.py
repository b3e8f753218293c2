"""Signing in to the console with a plain HTTP client, the way a browser without JS does."""

from __future__ import annotations

import re

import httpx

from tests.support.stack import ADMIN_KEY, Stack

__all__ = ["READ_ONLY", "csrf_of", "error_of", "key_for", "sign_in", "signed_in"]

READ_ONLY = {"Sign out", "Filter", "Show"}  # the only buttons a viewer gets

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


def error_of(html: str, field: str) -> str:
    """The validation message shown next to a form field."""
    found = re.search(rf'<p class="error" id="e-{re.escape(field)}">([^<]*)</p>', html)
    assert found, f"no error shown next to {field}"
    return found.group(1)


async def key_for(stack: Stack, role: str, tenant_id: str | None = None) -> str:
    """A new API key of ``role`` (made by the admin through /v1)."""
    created = await stack.api.post("/v1/api-keys", json={"role": role, "tenant_id": tenant_id})
    assert created.status_code == 201, created.text
    return str(created.json()["key"])
