"""``goutong alerts rules ...`` and ``goutong alerts list|show`` against a real stack."""

from __future__ import annotations

from store.alerts import Subject, open_alert
from store.db import Database
from store.types import utcnow
from tests.cli.conftest import Goutong, output_json, succeeded
from tests.support.stack import Stack


async def test_alert_rules_and_alerts(stack: Stack, goutong: Goutong) -> None:
    tenant = (await stack.tenant())["id"]
    endpoint = (await stack.endpoint(tenant, "http://127.0.0.1:9/x"))["id"]
    create = ["alerts", "rules", "create", "--tenant", tenant, "--name", "rate"]
    rate = ["--kind", "success_rate_below", "--threshold", "0.9", "--window", "3600"]
    created = output_json(await goutong(*create, *rate, "--min-callbacks", "20", "--json"))
    assert (created["kind"], created["threshold"], created["min_callbacks"]) == (
        "success_rate_below",
        0.9,
        20,
    )
    hooked = await goutong(
        *create, "--kind", "breaker_open_longer_than", "--threshold", "300",
        "--webhook-url", "http://127.0.0.1:9/alerts",
    )  # fmt: skip
    assert "whsec_" in succeeded(hooked).stdout and "shown once" in hooked.stdout
    listed = succeeded(await goutong("alerts", "rules", "list", "--tenant", tenant))
    assert created["id"] in listed.stdout and "breaker_open_longer_than" in listed.stdout
    changed = output_json(
        await goutong(
            "alerts", "rules", "update", created["id"], "--threshold", "0.8",
            "--endpoint", endpoint, "--disable", "--json",
        )
    )  # fmt: skip
    assert (changed["threshold"], changed["endpoint_id"], changed["enabled"]) == (
        0.8,
        endpoint,
        False,
    )
    shown = output_json(await goutong("alerts", "rules", "show", created["id"], "--json"))
    assert shown["enabled"] is False and "secret" not in shown

    refused = await goutong(*create, "--kind", "success_rate_below", "--threshold", "2")
    assert refused.exit_code == 2  # the client validates before sending
    refused = await goutong("alerts", "rules", "update", created["id"], "--window", "5")
    assert refused.exit_code == 2
    refused = await goutong("alerts", "rules", "update", created["id"], "--endpoint", "ep_x")
    assert refused.exit_code == 1 and "error: unknown_endpoint" in refused.stderr

    db = Database(stack.settings.resolved_database_url())
    try:
        async with db.session() as session:
            subject = Subject(tenant, created["id"], "rate", "success_rate_below", endpoint, 0.8)
            alert = await open_alert(
                session, subject, firing=True, value=0.5, since=None, now=utcnow()
            )
            assert alert is not None
    finally:
        await db.dispose()
    table = succeeded(await goutong("alerts", "list", "--state", "firing", "--tenant", tenant))
    assert alert.id in table.stdout and "success_rate_below" in table.stdout
    rows = output_json(await goutong("alerts", "list", "--since", "1h", "--json"))
    assert [r["id"] for r in rows] == [alert.id]
    assert output_json(await goutong("alerts", "list", "--state", "resolved", "--json")) == []
    one = output_json(await goutong("alerts", "show", alert.id, "--json"))
    assert (one["value"], one["endpoint_id"]) == (0.5, endpoint)
    bad = await goutong("alerts", "list", "--state", "sleeping")
    assert bad.exit_code == 1 and "validation_error" in bad.stderr

    succeeded(await goutong("alerts", "rules", "delete", created["id"]))
    gone = await goutong("alerts", "rules", "show", created["id"])
    assert gone.exit_code == 1 and "alert_rule_not_found" in gone.stderr
