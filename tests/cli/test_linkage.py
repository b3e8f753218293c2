"""``goutong linkage-rules ...`` and ``goutong suppressions ...`` against the real stack: a rule
made by the CLI suppresses a recipient when its event arrives."""

from __future__ import annotations

import asyncio
import json
import time

from tests.cli.conftest import Goutong, output_json, succeeded
from tests.support.receiver import Receiver
from tests.support.stack import Stack

RECIPIENT = "+8613800000001"


async def test_linkage_rules(stack: Stack, goutong: Goutong, receiver: Receiver) -> None:
    tenant = (await stack.tenant())["id"]
    await stack.endpoint(tenant, receiver.url)
    data = json.dumps({"data": {"error.code": ["hard_bounce"]}})
    created = output_json(
        await goutong(
            "linkage-rules",
            "create",
            "suppress hard bounces",
            "--tenant",
            tenant,
            "--action",
            "suppress",
            "--on",
            "event",
            "-t",
            "message.status.failed",
            "--filter",
            data,
            "--json",
        )
    )
    rule = created["id"]
    assert created["action"] == {"kind": "suppress"} and created["triggers"] == ["event"]
    assert created["filter"]["event_types"] == ["message.status.failed"]
    assert created["filter"]["data"] == {"error.code": ["hard_bounce"]}

    webhook = await goutong(
        "linkage-rules", "create", "tell the crm", "--tenant", tenant, "--action", "webhook",
        "--on", "dead_lettered", "--on", "recovered", "--url", "https://crm.example.com/in",
        "--webhook-event-type", "crm.callback_failed", "--disabled",
    )  # fmt: skip
    assert webhook.exit_code == 0, webhook.stderr
    assert "whsec_" in webhook.stdout and "shown once" in webhook.stdout
    assert "crm.callback_failed" in webhook.stdout

    listed = output_json(await goutong("linkage-rules", "list", "--tenant", tenant, "--json"))
    assert {r["name"]: r["enabled"] for r in listed} == {
        "suppress hard bounces": True,
        "tell the crm": False,
    }
    assert all("secret" not in r for r in listed)
    table = succeeded(await goutong("linkage-rules", "list", "--tenant", tenant))
    assert rule in table.stdout and "suppress hard bounces" in table.stdout
    shown = succeeded(await goutong("linkage-rules", "show", rule))
    assert "hard_bounce" in shown.stdout

    # the rule works: a hard bounce's recipient lands on the list
    await stack.post_event(
        tenant,
        type="message.status.failed",
        recipient=RECIPIENT,
        error={"code": "hard_bounce", "description": "no such number"},
    )
    deadline = time.monotonic() + 30
    check = ["suppressions", "check", RECIPIENT, "--tenant", tenant, "--json"]
    while not output_json(await goutong(*check))["suppressed"]:
        assert time.monotonic() < deadline, "the suppress rule never ran"
        await asyncio.sleep(0.3)

    # notify only fires on dead_lettered and recovered: the schema says so before sending
    wrong = await goutong(
        "linkage-rules", "create", "x", "--tenant", tenant, "--action", "notify", "--on", "event"
    )
    assert wrong.exit_code == 2 and "notify fires on" in wrong.stderr
    bad_trigger = await goutong(
        "linkage-rules", "create", "x", "--action", "notify", "--on", "sometimes"
    )
    assert bad_trigger.exit_code == 2

    assert succeeded(await goutong("linkage-rules", "delete", rule)).stdout.strip() == (
        f"deleted {rule}"
    )
    gone = await goutong("linkage-rules", "show", rule)
    assert gone.exit_code == 1 and "error:" in gone.stderr


async def test_suppressions(stack: Stack, goutong: Goutong) -> None:
    tenant = (await stack.tenant())["id"]
    clean = succeeded(await goutong("suppressions", "check", RECIPIENT, "--tenant", tenant))
    assert clean.stdout.strip() == f"{RECIPIENT} is not suppressed"

    added = output_json(
        await goutong(
            "suppressions",
            "add",
            RECIPIENT,
            "--tenant",
            tenant,
            "--channel",
            "sms",
            "--reason",
            "unsubscribe",
            "--json",
        )
    )
    entry = added["id"]
    assert added["recipient"] == RECIPIENT and added["reason"] == "unsubscribe"
    assert added["channel"] == "sms" and added["source"]

    said = succeeded(await goutong("suppressions", "check", RECIPIENT, "--tenant", tenant))
    assert (
        said.stdout.startswith(f"{RECIPIENT} is suppressed: unsubscribe") and entry in said.stdout
    )
    table = succeeded(await goutong("suppressions", "list", "--tenant", tenant))
    assert entry in table.stdout and RECIPIENT in table.stdout
    listed = output_json(await goutong("suppressions", "list", "--tenant", tenant, "--json"))
    assert [s["id"] for s in listed] == [entry]

    assert succeeded(await goutong("suppressions", "remove", entry)).stdout.strip() == (
        f"removed {entry}"
    )
    after = output_json(
        await goutong("suppressions", "check", RECIPIENT, "--tenant", tenant, "--json")
    )
    assert after == {"recipient": RECIPIENT, "suppressed": False, "entry": None}
    missing = await goutong("suppressions", "remove", entry)
    assert missing.exit_code == 1 and "error:" in missing.stderr
    empty = await goutong("suppressions", "add", "", "--tenant", tenant)
    assert empty.exit_code == 2
