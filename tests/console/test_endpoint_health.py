"""The endpoint page's delivery health: the breaker, its transitions, each target."""

from __future__ import annotations

import re

import httpx

from core.breaker import BreakerPolicy
from store.breaker import count_outcome
from store.db import Database
from store.types import utcnow
from tests.support.console import READ_ONLY, key_for, signed_in
from tests.support.receiver import Receiver
from tests.support.stack import Stack


async def test_the_breaker_and_targets_on_the_endpoint_page(
    stack: Stack, web: httpx.AsyncClient, receiver: Receiver, second_receiver: Receiver
) -> None:
    tenant = await stack.tenant()
    targets = [{"url": receiver.url, "weight": 3}, {"url": second_receiver.url, "weight": 1}]
    endpoint = await stack.endpoint(tenant["id"], None, targets=targets)
    await signed_in(web, await key_for(stack, "viewer"))
    page = f"/console/endpoints/{endpoint['id']}"
    closed = await web.get(page)
    assert closed.status_code == 200 and "Delivery health" in closed.text
    assert '<span class="status b-closed">closed</span>' in closed.text
    assert "the breaker has stayed closed" in closed.text
    assert closed.text.count('<span class="status s-delivered">healthy</span>') == 2

    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:  # what the delivery activity counts, failing
            counted = await count_outcome(
                session,
                endpoint_id=endpoint["id"],
                failed=True,
                now=utcnow(),
                policy=BreakerPolicy(consecutive_failures=1),
            )
    finally:
        await db.dispose()
    assert counted.transition is not None
    opened = await web.get(page)
    assert '<span class="status b-open">open</span>' in opened.text
    assert counted.transition.reason in opened.text and "1 / 1" in opened.text
    assert "failing since" in opened.text
    assert set(re.findall(r"<button[^>]*>([^<]+)</button>", opened.text)) <= READ_ONLY
    health = (await stack.api.get(f"/v1/endpoints/{endpoint['id']}/health")).json()
    assert health["breaker"]["state"] == "open" and len(health["transitions"]) == 1
