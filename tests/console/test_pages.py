"""The console's pages over plain HTTP (no browser): sign-in, CSRF, rights by role, the audit
log, the charts (the endpoint pages: test_endpoint_pages.py)."""

from __future__ import annotations

import httpx

from console.session import SESSION_COOKIE
from tests.support.console import key_for, sign_in, signed_in
from tests.support.receiver import Receiver
from tests.support.stack import ADMIN_KEY, Stack


async def test_pages_need_a_sign_in(web: httpx.AsyncClient) -> None:
    answer = await web.get("/console/endpoints?tenant=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=%2Fconsole%2Fendpoints%3Ftenant%3Dx"


async def test_sign_in_seals_the_key_in_a_strict_cookie(web: httpx.AsyncClient) -> None:
    answer = await sign_in(web, ADMIN_KEY)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/callbacks"
    cookie = next(
        h for h in answer.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert ADMIN_KEY not in cookie
    assert (await web.get("/console/tenants")).status_code == 200


async def test_sign_in_refuses_a_wrong_key_and_a_forged_form(web: httpx.AsyncClient) -> None:
    wrong = await sign_in(web, "gt_not_a_key")
    assert wrong.status_code == 401 and "unknown or revoked API key" in wrong.text
    forged = await web.post("/console/login", data={"csrf_token": "x", "api_key": ADMIN_KEY})
    assert forged.status_code == 403 and "csrf_failed" in forged.text
    assert (await web.get("/console/tenants")).status_code == 303


async def test_a_tampered_cookie_is_no_sign_in(web: httpx.AsyncClient) -> None:
    await signed_in(web)
    sealed = web.cookies[SESSION_COOKIE]
    web.cookies.set(SESSION_COOKIE, sealed[:-4] + "AAAA", path="/console")
    assert (await web.get("/console/tenants")).status_code == 303


async def test_every_form_post_needs_the_sign_ins_csrf_token(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    token = await signed_in(web)
    body = {"tenant_id": tenant["id"], "url": receiver.url, "enabled": "on"}
    for forged in ({}, {"csrf_token": "nope"}):
        answer = await web.post("/console/endpoints/new", data={**body, **forged})
        assert answer.status_code == 403 and "csrf_failed" in answer.text
    listed = await stack.api.get("/v1/endpoints", params={"tenant": tenant["id"]})
    assert listed.json()["data"] == []
    created = await web.post("/console/endpoints/new", data={**body, "csrf_token": token})
    assert created.status_code == 201 and "whsec_" in created.text
    assert len((await stack.api.get("/v1/endpoints")).json()["data"]) == 1
    out = await web.post("/console/logout", data={"csrf_token": "stale"})
    assert out.status_code == 403


async def test_the_audit_log_page_and_who_may_see_it(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    token = await signed_in(web)
    page = f"/console/endpoints/{endpoint['id']}"
    form = {"csrf_token": token, "url": receiver.url, "name": "audited"}
    assert (await web.post(page, data=form)).status_code == 303
    log = await web.get(f"/console/audit?action=endpoint.&resource={endpoint['id']}")
    assert log.status_code == 200 and "Audit log</a>" in log.text
    assert "endpoint.update" in log.text and "endpoint.create" in log.text
    assert "tenant.create" not in log.text  # filtered by action prefix
    await web.post("/console/logout", data={"csrf_token": token})
    await signed_in(web, await key_for(stack, "operator", tenant["id"]))
    refused = await web.get("/console/audit")
    assert refused.status_code == 403 and "role_required" in refused.text
    assert "Audit log</a>" not in (await web.get("/console/callbacks")).text


async def test_a_producer_key_has_no_console(stack: Stack, web: httpx.AsyncClient) -> None:
    answer = await sign_in(web, await key_for(stack, "producer"))
    assert answer.status_code == 403 and "role producer may not read" in answer.text
    assert (await web.get("/console/callbacks")).status_code == 303


async def test_a_tenant_key_sees_its_tenant_only_and_cannot_create_tenants(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    mine, other = await stack.tenant("mine"), await stack.tenant("other")
    theirs = await stack.endpoint(other["id"], receiver.url)
    token = await signed_in(web, await key_for(stack, "tenant_admin", mine["id"]))
    tenants = await web.get("/console/tenants")
    assert mine["id"] in tenants.text and other["id"] not in tenants.text
    assert "New tenant" not in tenants.text
    forced = await web.post("/console/tenants", data={"csrf_token": token, "name": "x"})
    assert forced.status_code == 403 and "admin_required" in forced.text
    peek = await web.get(f"/console/endpoints/{theirs['id']}")
    assert peek.status_code == 403 and "tenant_scope_violation" in peek.text
    names = [t["name"] for t in (await stack.api.get("/v1/tenants")).json()["data"]]
    assert sorted(names) == ["mine", "other"]


async def test_the_charts_are_svg_drawn_on_the_server(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    accepted = await stack.post_event(tenant["id"])
    await stack.wait_status(accepted["callback_ids"][0], "delivered")
    await signed_in(web)
    page = await web.get(f"/console/charts?endpoint={endpoint['id']}&window=1h")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') == 2 and "<polyline" in page.text
    assert "100.0 %" in page.text  # the bucket with the delivered callback
    bad = await web.get("/console/charts?window=5y")
    assert bad.status_code == 422 and "invalid_window" in bad.text
