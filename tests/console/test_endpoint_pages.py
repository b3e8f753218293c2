"""The console's endpoint pages over plain HTTP: validation next to the fields, templates,
editing and disabling, several targets, revisions and rollback, who may change what."""

from __future__ import annotations

import re

import httpx

from tests.support.console import READ_ONLY, error_of, key_for, signed_in
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack


async def test_validation_messages_are_shown_next_to_the_fields(
    stack: Stack, web: httpx.AsyncClient
) -> None:
    tenant = await stack.tenant()
    token = await signed_in(web)
    form = {
        "csrf_token": token,
        "tenant_id": tenant["id"],
        "url": "ftp://example.com/x",
        "event_types": "message.status.delivered, not a type!",
        "headers": "X-Ok: 1\nwebhook-id: mine",
        "timeout_seconds": "600",
        "retry.max_attempts": "0",
        "enabled": "on",
    }
    answer = await web.post("/console/endpoints/new", data=form)
    assert answer.status_code == 422
    assert "URL scheme" in error_of(answer.text, "url")
    assert "not a type!" in error_of(answer.text, "event_types")
    assert "set by the service" in error_of(answer.text, "headers")
    assert "60" in error_of(answer.text, "timeout_seconds")
    assert "greater than or equal to 1" in error_of(answer.text, "retry.max_attempts")
    assert 'value="ftp://example.com/x"' in answer.text  # what was typed stays in the form
    assert (await stack.api.get("/v1/endpoints")).json()["data"] == []


async def test_a_target_the_guard_refuses_is_reported_on_the_url(
    stack: Stack, web: httpx.AsyncClient
) -> None:
    tenant = await stack.tenant()
    token = await signed_in(web)
    form = {"csrf_token": token, "tenant_id": tenant["id"], "url": "http://10.1.2.3/hook"}
    answer = await web.post("/console/endpoints/new", data=form)
    assert answer.status_code == 422 and error_of(answer.text, "url")
    no_tenant = await web.post(
        "/console/endpoints/new", data={"csrf_token": token, "url": "https://example.com/h"}
    )
    assert no_tenant.status_code == 422 and "tenant_id is required" in no_tenant.text


async def test_a_new_endpoint_starts_from_a_template(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    config = {
        "event_types": ["message.status.*"],
        "headers": {"X-Team": "billing"},
        "retry": {"max_attempts": 7},
    }
    made = await stack.api.post(
        "/v1/endpoint-templates",
        json={"tenant_id": tenant["id"], "name": "billing hooks", "config": config},
    )
    assert made.status_code == 201, made.text
    template = made.json()
    token = await signed_in(web)
    offered = await web.get("/console/endpoints/new")
    assert "billing hooks" in offered.text
    form_page = await web.get(f"/console/endpoints/new?template={template['id']}")
    html = form_page.text
    assert form_page.status_code == 200 and f'value="{template["id"]}"' in html
    assert 'name="retry.max_attempts" type="number" value="7"' in html
    assert "message.status.*</textarea>" in html and "X-Team: billing</textarea>" in html
    form = {
        "csrf_token": token,
        "template_id": template["id"],
        "tenant_id": tenant["id"],
        "url": receiver.url,
        "event_types": "message.status.*",
        "headers": "X-Team: billing",
        "retry.max_attempts": "7",
        "enabled": "on",
    }
    created = await web.post("/console/endpoints/new", data=form)
    assert created.status_code == 201, created.text
    stored = (await stack.api.get("/v1/endpoints")).json()["data"][0]
    assert stored["template_id"] == template["id"] and stored["retry"]["max_attempts"] == 7
    missing = await web.get("/console/endpoints/new?template=tpl_nope")
    assert missing.status_code == 404


async def test_editing_and_disabling_an_endpoint(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, name="orders")
    token = await signed_in(web)
    page = f"/console/endpoints/{endpoint['id']}"
    bad = await web.post(page, data={"csrf_token": token, "url": "", "enabled": "on"})
    assert bad.status_code == 422 and error_of(bad.text, "url")
    form = {
        "csrf_token": token,
        "name": "orders v2",
        "url": receiver.url,
        "event_types": "message.status.*",
        "retry.max_attempts": "5",
        "enabled": "on",
    }
    assert (await web.post(page, data=form)).status_code == 303
    off = await web.post(
        f"{page}/enabled", data={"csrf_token": token, "enabled": "false", "reason": "moving"}
    )
    assert off.status_code == 303
    stored = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert stored["name"] == "orders v2" and stored["event_types"] == ["message.status.*"]
    assert stored["retry"]["max_attempts"] == 5 and stored["enabled"] is False
    assert stored["disabled_reason"] == "moving"
    rotated = await web.post(f"{page}/rotate", data={"csrf_token": token, "grace_seconds": "0"})
    secret = re.search(r'value="(whsec_[^"]+)"', rotated.text)
    assert rotated.status_code == 200 and secret
    revealed = await stack.api.get(f"/v1/endpoints/{endpoint['id']}/secret")
    assert revealed.json()["secret"] == secret.group(1)


async def test_a_viewer_sees_no_change_buttons_and_forced_posts_get_403(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.default = Answer(status=400)  # fail-fast: a dead letter at the first attempt
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    accepted = await stack.post_event(tenant["id"])
    dead = accepted["callback_ids"][0]
    await stack.wait_status(dead, "dead_lettered")
    token = await signed_in(web, await key_for(stack, "viewer"))

    pages = {
        "/console/tenants": "Create tenant",
        "/console/endpoints": "New endpoint",
        f"/console/endpoints/{endpoint['id']}": "Send a test event",
        f"/console/callbacks/{dead}": "Retry now",
        "/console/dead-letters": "Retry selected",
        f"/console/endpoints/{endpoint['id']}/revisions": "Roll back",
    }
    for path, button in pages.items():
        page = await web.get(path)
        assert page.status_code == 200, path
        assert endpoint["id"] in page.text or path == "/console/tenants"
        assert button not in page.text, path
        assert set(re.findall(r"<button[^>]*>([^<]+)</button>", page.text)) <= READ_ONLY, path
    assert dead in (await web.get("/console/dead-letters")).text
    assert "disabled" in (await web.get(f"/console/endpoints/{endpoint['id']}")).text

    forced = {
        "/console/tenants": {"name": "x"},
        "/console/endpoints/new": {"tenant_id": tenant["id"], "url": receiver.url},
        f"/console/endpoints/{endpoint['id']}": {"url": receiver.url, "name": "renamed"},
        f"/console/endpoints/{endpoint['id']}/enabled": {"enabled": "false"},
        f"/console/endpoints/{endpoint['id']}/rotate": {"grace_seconds": "0"},
        f"/console/endpoints/{endpoint['id']}/test": {},
        f"/console/endpoints/{endpoint['id']}/revisions/1/rollback": {},
        f"/console/callbacks/{dead}/retry": {},
        "/console/dead-letters": {"action": "retry", "ids": dead},
    }
    for path, form in forced.items():
        answer = await web.post(path, data={**form, "csrf_token": token})
        assert answer.status_code == 403, path
        assert "admin_required" in answer.text or "role_required" in answer.text, path
    stored = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert stored["name"] == "" and stored["enabled"] is True
    assert (await stack.callback(dead))["status"] == "dead_lettered"
    assert len(receiver.requests) == 1
    callbacks = (await stack.api.get("/v1/callbacks")).json()["data"]
    assert [c["id"] for c in callbacks] == [dead]


async def test_an_operator_may_intervene_but_not_configure(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url)
    await signed_in(web, await key_for(stack, "operator", tenant["id"]))
    page = await web.get(f"/console/endpoints/{endpoint['id']}")
    assert "Send a test event" not in page.text and "Save changes" not in page.text
    desk = await web.get("/console/dead-letters")
    assert desk.status_code == 200 and "Filter" in desk.text


async def test_an_endpoint_with_several_targets_keeps_them_when_edited(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    targets = [{"url": receiver.url, "weight": 3}, {"url": second_receiver.url, "weight": 1}]
    response = await stack.api.post(
        "/v1/endpoints", json={"tenant_id": tenant["id"], "targets": targets}
    )
    assert response.status_code == 201, response.text
    endpoint = response.json()
    token = await signed_in(web)
    page = f"/console/endpoints/{endpoint['id']}"
    shown = await web.get(page)
    assert second_receiver.url in shown.text and "weight 3" in shown.text
    form = {"csrf_token": token, "url": endpoint["url"], "name": "balanced"}
    assert (await web.post(page, data=form)).status_code == 303
    moved = await web.post(page, data={**form, "url": "https://example.com/one"})
    assert moved.status_code == 422 and "2 targets" in error_of(moved.text, "url")
    stored = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()
    assert stored["name"] == "balanced"
    assert [t["url"] for t in stored["targets"]] == [receiver.url, second_receiver.url]


async def test_revisions_show_their_diff_and_roll_back(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, name="orders")
    token = await signed_in(web)
    page = f"/console/endpoints/{endpoint['id']}"
    form = {"csrf_token": token, "url": receiver.url, "name": "orders v2"}
    assert (await web.post(page, data=form)).status_code == 303
    listed = await web.get(f"{page}/revisions")
    assert listed.status_code == 200
    assert "<del>&#34;orders&#34;</del>" in listed.text or '<del>"orders"</del>' in listed.text
    assert "Roll back to #1" in listed.text and "Roll back to #2" not in listed.text
    back = await web.post(f"{page}/revisions/1/rollback", data={"csrf_token": token})
    assert back.status_code == 303
    assert (await stack.api.get(f"/v1/endpoints/{endpoint['id']}")).json()["name"] == "orders"
    again = await web.post(f"{page}/revisions/3/rollback", data={"csrf_token": token})
    assert again.status_code == 409 and "nothing_to_roll_back" in again.text
    forged = await web.post(f"{page}/revisions/2/rollback", data={"csrf_token": "x"})
    assert forged.status_code == 403
