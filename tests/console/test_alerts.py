"""The alerts page: firing and resolved alerts from the store, the alert rules, and who may
create or delete rules."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from sqlmodel.ext.asyncio.session import AsyncSession

from store.alerts import Subject, open_alert, resolve_alert
from store.db import Database
from store.types import utcnow
from tests.support.console import READ_ONLY, error_of, key_for, signed_in
from tests.support.stack import Stack


@pytest_asyncio.fixture(loop_scope="session")
async def store(stack: Stack) -> AsyncIterator[AsyncSession]:
    """A session on the stack's own database."""
    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            yield session
    finally:
        await db.dispose()


async def test_alerts_and_rules_made_and_deleted_in_the_console(
    stack: Stack, web: httpx.AsyncClient, store: AsyncSession
) -> None:
    tenant, other = await stack.tenant(), await stack.tenant("other")
    endpoint = await stack.endpoint(tenant["id"], "http://127.0.0.1:9/hook", name="orders")
    theirs = await stack.endpoint(other["id"], "http://127.0.0.1:9/other")
    token = await signed_in(web)
    empty = await web.get("/console/alerts")
    assert empty.status_code == 200 and "Nothing is firing." in empty.text
    rule = {
        "csrf_token": token,
        "tenant_id": tenant["id"],
        "endpoint_id": endpoint["id"],
        "name": "orders failing",
        "kind": "success_rate_below",
        "threshold": "0.9",
        "window_seconds": "600",
        "min_callbacks": "10",
        "enabled": "on",
    }
    cases = {
        "threshold": ({"threshold": "2"}, "a success rate in (0, 1]"),
        "window_seconds": ({"window_seconds": ""}, "needs window_seconds"),
        "endpoint_id": ({"endpoint_id": theirs["id"]}, "is no endpoint of tenant"),
        "webhook_url": ({"webhook_url": "http://10.1.2.3/alerts"}, "10.1.2.3"),
        "name": ({"name": ""}, "at least 1 character"),
    }
    for name, (fields, message) in cases.items():
        answer = await web.post("/console/alerts/rules", data={**rule, **fields})
        assert answer.status_code == 422, name
        assert message in error_of(answer.text, name), name
    assert (await stack.api.get("/v1/alert-rules")).json()["data"] == []

    made = await web.post("/console/alerts/rules", data=rule)
    assert made.status_code == 303 and made.headers["location"] == "/console/alerts"
    hooked = await web.post(
        "/console/alerts/rules",
        data={**rule, "name": "open breaker", "kind": "breaker_open_longer_than",
              "threshold": "300", "window_seconds": "", "webhook_url": "http://127.0.0.1:9/a"},
    )  # fmt: skip
    assert hooked.status_code == 201 and re.search(r'value="whsec_[^"]+"', hooked.text)
    rules = {r["name"]: r for r in (await stack.api.get("/v1/alert-rules")).json()["data"]}
    assert rules["orders failing"]["endpoint_id"] == endpoint["id"]
    assert rules["open breaker"]["window_seconds"] is None

    first = rules["orders failing"]
    subject = Subject(tenant["id"], first["id"], first["name"], first["kind"], endpoint["id"], 0.9)
    firing = await open_alert(store, subject, firing=True, value=0.42, since=None, now=utcnow())
    other_rule = Subject(
        tenant["id"], "alr_gone", "old rule", "dead_letters_over", endpoint["id"], 5
    )
    done = await open_alert(store, other_rule, firing=True, value=9, since=None, now=utcnow())
    assert firing is not None and done is not None
    await resolve_alert(store, done, value=0, now=utcnow())

    page = await web.get("/console/alerts")
    firing_part, rest = page.text.split('id="resolved-h"')
    resolved_part = rest.split('id="rules-h"')[0]
    assert firing.id in firing_part and "0.42" in firing_part and done.id not in firing_part
    assert done.id in resolved_part and firing.id not in resolved_part
    assert "orders failing" in page.text and "http://127.0.0.1:9/a" in page.text
    assert firing.id not in (await web.get("/console/alerts?tenant=" + other["id"])).text

    deleted = await web.post(
        f"/console/alerts/rules/{first['id']}/delete", data={"csrf_token": token}
    )
    assert deleted.status_code == 303
    left = [r["name"] for r in (await stack.api.get("/v1/alert-rules")).json()["data"]]
    assert left == ["open breaker"]
    audit = (await stack.api.get("/v1/audit", params={"action": "alert_rule."})).json()["data"]
    assert sorted(e["action"] for e in audit) == [
        "alert_rule.create", "alert_rule.create", "alert_rule.delete"
    ]  # fmt: skip


async def test_a_viewer_sees_alerts_and_rules_but_cannot_change_them(
    stack: Stack, web: httpx.AsyncClient, store: AsyncSession
) -> None:
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], "http://127.0.0.1:9/hook")
    made = await stack.api.post(
        "/v1/alert-rules",
        json={"tenant_id": tenant["id"], "name": "dead letters", "kind": "dead_letters_over",
              "threshold": 3, "window_seconds": 3600},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    rule = made.json()
    subject = Subject(tenant["id"], rule["id"], rule["name"], rule["kind"], endpoint["id"], 3)
    alert = await open_alert(store, subject, firing=True, value=7, since=None, now=utcnow())
    assert alert is not None
    token = await signed_in(web, await key_for(stack, "viewer", tenant["id"]))
    page = await web.get("/console/alerts")
    assert page.status_code == 200 and "Alerts</a>" in page.text
    assert alert.id in page.text and "dead letters" in page.text
    assert "New alert rule" not in page.text
    assert set(re.findall(r"<button[^>]*>([^<]+)</button>", page.text)) <= READ_ONLY
    forced = {
        "/console/alerts/rules": {"name": "x", "kind": "dead_letters_over", "threshold": "1"},
        f"/console/alerts/rules/{rule['id']}/delete": {},
    }
    for path, form in forced.items():
        answer = await web.post(path, data={**form, "csrf_token": token})
        assert answer.status_code == 403 and "role_required" in answer.text, path
    names = [r["name"] for r in (await stack.api.get("/v1/alert-rules")).json()["data"]]
    assert names == ["dead letters"]
