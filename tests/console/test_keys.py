"""The API keys page: a key made in the console works on /v1 until it is revoked there; the
API's validation next to the fields; who may see and change keys."""

from __future__ import annotations

import re

import httpx

from tests.support.console import READ_ONLY, error_of, key_for, signed_in
from tests.support.stack import ADMIN_KEY, Stack


async def _audit(stack: Stack, action: str) -> list[dict[str, object]]:
    found = await stack.api.get("/v1/audit", params={"action": action})
    assert found.status_code == 200, found.text
    return list(found.json()["data"])


async def test_a_key_made_in_the_console_is_shown_once_and_works_until_revoked(
    stack: Stack, web: httpx.AsyncClient
) -> None:
    token = await signed_in(web)
    listed = await web.get("/console/keys")
    assert listed.status_code == 200 and "API keys</a>" in listed.text and "this key" in listed.text
    form = {
        "csrf_token": token,
        "name": "ci reader",
        "role": "viewer",
        "tenant_id": "",
        "allowed_cidrs": "127.0.0.0/8\n10.0.0.0/8",
        "expires_at": "2099-01-02T03:04",  # datetime-local, read as UTC
    }
    created = await web.post("/console/keys", data=form)
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    shown = re.search(r'id="secret" class="secret" readonly value="(gt_[^"]+)"', created.text)
    assert shown, created.text
    key = shown.group(1)

    async with stack.with_key(key) as client:  # the ASGI client calls from 127.0.0.1
        assert (await client.get("/v1/callbacks")).status_code == 200
        refused = await client.post("/v1/tenants", json={"name": "no"})
        assert refused.status_code == 403  # a viewer key
    stored = next(
        k for k in (await stack.api.get("/v1/api-keys")).json() if k["name"] == "ci reader"
    )
    assert stored["role"] == "viewer" and stored["tenant_id"] is None
    assert stored["allowed_cidrs"] == ["127.0.0.0/8", "10.0.0.0/8"]
    assert stored["expires_at"].startswith("2099-01-02T03:04:00")
    page = (await web.get("/console/keys")).text
    assert "ci reader" in page and stored["hint"] in page and key not in page  # once only

    revoked = await web.post(f"/console/keys/{stored['id']}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/console/keys"
    async with stack.with_key(key) as client:
        assert (await client.get("/v1/callbacks")).status_code == 401
    assert "ci reader" not in (await web.get("/console/keys")).text
    again = await web.post(f"/console/keys/{stored['id']}/revoke", data={"csrf_token": token})
    assert again.status_code == 404 and "api_key_not_found" in again.text

    # the audit entries are the API's own: same actions, same actor, same summary fields
    api_made = await stack.api.post("/v1/api-keys", json={"role": "viewer", "name": "by api"})
    await stack.api.delete(f"/v1/api-keys/{api_made.json()['id']}")
    created_entries = await _audit(stack, "api_key.create")
    revoked_entries = await _audit(stack, "api_key.revoke")
    by_console = next(e for e in created_entries if e["resource"] == stored["id"])
    by_api = next(e for e in created_entries if e["resource"] == api_made.json()["id"])
    assert by_console["summary"].keys() == by_api["summary"].keys()  # type: ignore[attr-defined]
    assert by_console["summary"]["allowed_cidrs"] == ["127.0.0.0/8", "10.0.0.0/8"]  # type: ignore[index]
    assert by_console["actor"] == by_api["actor"] and by_console["role"] == "admin"
    assert [e["resource"] for e in revoked_entries] == [api_made.json()["id"], stored["id"]]
    assert key not in str(created_entries)


async def test_the_apis_validation_is_shown_next_to_the_key_fields(
    stack: Stack, web: httpx.AsyncClient
) -> None:
    token = await signed_in(web)
    base = {"csrf_token": token, "name": "k", "role": "viewer"}
    cases = {
        "allowed_cidrs": ({"allowed_cidrs": "10.0.0.0/8, 10.0.0.300/8"}, "10.0.0.300/8"),
        "expires_at": ({"expires_at": "2001-01-01T00:00"}, "in the past"),
        "rate_limit_per_second": ({"rate_limit_per_second": "0"}, "greater than 0"),
        "tenant_id": ({"role": "tenant_admin"}, "needs a tenant_id"),
    }
    for name, (fields, message) in cases.items():
        answer = await web.post("/console/keys", data={**base, **fields})
        assert answer.status_code == 422, name
        assert message in error_of(answer.text, name), name
    typed = await web.post("/console/keys", data={**base, "tenant_id": "tnt_nope"})
    assert typed.status_code == 422 and "tnt_nope" in error_of(typed.text, "tenant_id")
    assert [k["role"] for k in (await stack.api.get("/v1/api-keys")).json()] == ["admin"]


async def test_who_may_see_and_change_keys(stack: Stack, web: httpx.AsyncClient) -> None:
    mine, other = await stack.tenant("mine"), await stack.tenant("other")
    theirs = await stack.api.post(
        "/v1/api-keys", json={"role": "viewer", "tenant_id": other["id"], "name": "theirs"}
    )
    token = await signed_in(web, await key_for(stack, "viewer"))
    start = await web.get("/console/callbacks")
    assert "/console/keys" not in start.text
    assert set(re.findall(r"<button[^>]*>([^<]+)</button>", start.text)) <= READ_ONLY
    refused = await web.get("/console/keys")
    assert refused.status_code == 403 and "role_required" in refused.text
    forced = {
        "/console/keys": {"role": "admin", "name": "forced"},
        f"/console/keys/{theirs.json()['id']}/revoke": {},
    }
    for path, form in forced.items():
        answer = await web.post(path, data={**form, "csrf_token": token})
        assert answer.status_code == 403 and "role_required" in answer.text, path
    names = [k["name"] for k in (await stack.api.get("/v1/api-keys")).json()]
    assert "forced" not in names and "theirs" in names

    await web.post("/console/logout", data={"csrf_token": token})
    token = await signed_in(web, await key_for(stack, "tenant_admin", mine["id"]))
    page = await web.get("/console/keys")
    assert page.status_code == 200 and "theirs" not in page.text and ADMIN_KEY[:7] not in page.text
    assert '<option value="admin"' not in page.text and 'name="tenant_id"' not in page.text
    made = await web.post(
        "/console/keys", data={"csrf_token": token, "role": "producer", "name": "feeder"}
    )
    assert made.status_code == 201, made.text
    feeder = next(k for k in (await stack.api.get("/v1/api-keys")).json() if k["name"] == "feeder")
    assert feeder["tenant_id"] == mine["id"]
    forced_admin = await web.post(
        "/console/keys", data={"csrf_token": token, "role": "admin", "name": "up"}
    )
    assert forced_admin.status_code == 403 and "admin_required" in forced_admin.text
    other_tenant = await web.post(
        "/console/keys", data={"csrf_token": token, "role": "viewer", "tenant_id": other["id"]}
    )
    assert other_tenant.status_code == 403 and "tenant_scope_violation" in other_tenant.text
    peek = await web.post(f"/console/keys/{theirs.json()['id']}/revoke", data={"csrf_token": token})
    assert peek.status_code == 404  # as on /v1: another tenant's key is not there for it
