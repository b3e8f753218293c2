"""The console in headless Chromium against a whole stack on a real port.

Debian's ``chromium`` (``/usr/bin/chromium``), driven by Playwright; no browser is downloaded.
Screenshots go to ``tests/artifacts/console/`` (gitignored; CI keeps the folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver
from tests.support.stack import ADMIN_KEY, Stack

pytestmark = SERIAL  # see tests/support/groups.py

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "console"
LAPTOP: ViewportSize = {"width": 1366, "height": 768}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("chromium is not installed; .ci/run installs it")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest_asyncio.fixture(loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser, api_url: str) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=api_url, viewport=LAPTOP)
    yield await context.new_page()
    await context.close()


class Shots:
    """Numbered full-page screenshots of one test, path printed for the CI log."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def take(self, page: Page, label: str) -> None:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{label}.png"
        await page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")


async def sign_in(page: Page, key: str) -> None:
    await page.goto("/console/")
    await page.get_by_label("API key").fill(key)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Callbacks")).to_be_visible()


async def nav(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


async def wait_for_status(page: Page, status: str) -> None:
    """The callback page reloads itself (meta refresh) until the status shows."""
    await expect(page.locator(f".heading .status.s-{status}")).to_be_visible(timeout=60_000)


async def test_deliver_dead_letter_and_retry_from_the_desk(
    stack: Stack, page: Page, receiver: Receiver, request: pytest.FixtureRequest
) -> None:
    shots = Shots(request.node.name)
    await sign_in(page, ADMIN_KEY)

    await nav(page, "Tenants")
    await page.get_by_label("Name").fill("Shop")
    await page.get_by_role("button", name="Create tenant").click()
    await expect(page.get_by_role("cell", name="Shop", exact=True)).to_be_visible()

    await nav(page, "Endpoints")
    await page.get_by_role("link", name="New endpoint").click()
    shop = (
        await page.get_by_label("Tenant").locator("option", has_text="Shop").get_attribute("value")
    )
    await page.get_by_label("Tenant").select_option(shop)
    await page.get_by_label("Name").fill("orders")
    await page.get_by_label("URL").fill("not a url")
    await page.get_by_role("button", name="Create endpoint").click()
    await expect(page.locator("#e-url")).to_be_visible()  # the message next to the field
    await shots.take(page, "validation")
    await page.get_by_label("URL").fill(receiver.url)
    for label, value in [
        ("First interval (s)", "1"),
        ("Longest interval (s)", "2"),
        ("Max attempts", "2"),
    ]:
        await page.get_by_label(label).fill(value)
    await page.get_by_role("button", name="Create endpoint").click()
    await expect(page.get_by_label("Secret")).to_have_value(re.compile("^whsec_"))
    await page.get_by_role("link", name="Go to the endpoint").click()

    await page.get_by_role("button", name="Send a test event").click()
    await wait_for_status(page, "delivered")
    await expect(page.locator("table.timeline tbody tr")).to_have_count(1)
    await expect(page.get_by_role("link", name="Open in the Temporal Web UI")).to_have_attribute(
        "href", re.compile(r"/namespaces/default/workflows/cb_")
    )
    await shots.take(page, "delivered")
    assert len(receiver.requests) == 1

    receiver.default = Answer(status=500, body=b"receiver is down")
    await page.get_by_role("link", name=re.compile("^ep_")).click()
    await page.get_by_role("button", name="Send a test event").click()
    await wait_for_status(page, "dead_lettered")
    await expect(page.locator("table.timeline")).to_contain_text("receiver is down")
    broken = page.url.rsplit("/", 1)[1]
    await shots.take(page, "dead-lettered")

    receiver.default = Answer()
    await nav(page, "Dead letters")
    await page.get_by_role("link", name="Select all on this page").click()
    await expect(page.get_by_label(f"Select {broken}")).to_be_checked()
    await shots.take(page, "desk")
    await page.get_by_role("button", name="Retry selected").click()
    await expect(page.get_by_role("heading", name="Retry: 1 of 1 accepted")).to_be_visible()
    await page.get_by_role("link", name=broken).click()
    await wait_for_status(page, "delivered")
    await shots.take(page, "retried")
    await page.get_by_role("link", name=re.compile("^ep_")).click()
    await page.get_by_role("link", name="Charts").last.click()
    await expect(page.locator("svg.chart")).to_have_count(2)
    await expect(page.locator("svg.chart circle").first).to_be_visible()
    await shots.take(page, "charts")
    final = await stack.callback(broken)
    assert final["status"] == "delivered" and final["attempt_log"][-1]["status_code"] == 200


async def test_a_viewer_sees_no_change_buttons_and_a_forced_post_gets_403(
    stack: Stack, page: Page, receiver: Receiver, request: pytest.FixtureRequest
) -> None:
    shots = Shots(request.node.name)
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], receiver.url, name="orders")
    key = await stack.api.post("/v1/api-keys", json={"role": "viewer", "tenant_id": tenant["id"]})
    await sign_in(page, key.json()["key"])

    for path in (
        "/console/tenants",
        f"/console/endpoints/{endpoint['id']}",
        "/console/dead-letters",
    ):
        await page.goto(path)
        names = {(await b.inner_text()).strip() for b in await page.get_by_role("button").all()}
        assert names <= {"Sign out", "Filter"}, (path, names)
    await page.goto(f"/console/endpoints/{endpoint['id']}")
    await expect(page.get_by_label("URL")).to_be_disabled()  # shown, not editable
    await shots.take(page, "viewer-endpoint")

    token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
    forced = await page.request.post(
        f"/console/endpoints/{endpoint['id']}/test", form={"csrf_token": token or ""}
    )
    assert forced.status == 403 and "role_required" in await forced.text()
    assert (await stack.api.get("/v1/callbacks")).json()["data"] == []
