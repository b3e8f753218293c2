"""``goutong templates ...`` and ``goutong event-types ...`` against the real stack."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli.conftest import Goutong, output_json, succeeded
from tests.support.stack import Stack

ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["order_id"],
    "properties": {"order_id": {"type": "string"}},
}


async def test_endpoint_templates(stack: Stack, goutong: Goutong) -> None:
    tenant = (await stack.tenant())["id"]
    config = json.dumps({"timeout_seconds": 5, "channels": ["email"]})
    created = output_json(
        await goutong(
            "templates",
            "create",
            "sms defaults",
            "--tenant",
            tenant,
            "--description",
            "for sms receivers",
            "--config",
            config,
            "-t",
            "message.status.*",
            "--channel",
            "sms",
            "-H",
            "X-Team: ops",
            "--json",
        )
    )
    template = created["id"]
    assert created["tenant_id"] == tenant and created["revision"] == 1
    # the single options win over --config, the rest of it is kept
    assert created["config"]["channels"] == ["sms"]
    assert created["config"]["timeout_seconds"] == 5
    assert created["config"]["event_types"] == ["message.status.*"]
    assert created["config"]["headers"] == {"X-Team": "ops"}

    table = succeeded(await goutong("templates", "list", "--tenant", tenant))
    assert template in table.stdout and "sms defaults" in table.stdout
    listed = output_json(await goutong("templates", "list", "--tenant", tenant, "--json"))
    assert [t["id"] for t in listed] == [template]
    shown = succeeded(await goutong("templates", "show", template))
    assert "for sms receivers" in shown.stdout and "message.status.*" in shown.stdout

    # an endpoint made from it takes what it sets
    made = ["endpoints", "create", "--tenant", tenant, "--url", "https://shop.example.com/hook"]
    endpoint = output_json(await goutong(*made, "--template", template, "--json"))
    assert endpoint["template_id"] == template and endpoint["timeout_seconds"] == 5
    assert endpoint["channels"] == ["sms"]

    bad = await goutong("templates", "create", "x", "--config", "[1, 2]")
    assert bad.exit_code == 2 and "JSON object" in bad.stderr
    refused = await goutong("templates", "create", "x", "--tenant", tenant, "--timeout", "600")
    assert refused.exit_code == 2  # the client's schema refuses it before sending

    assert succeeded(await goutong("templates", "delete", template)).stdout.strip() == (
        f"deleted {template}"
    )
    gone = await goutong("templates", "show", template)
    assert gone.exit_code == 1 and "error: template_not_found" in gone.stderr


async def test_event_types(stack: Stack, goutong: Goutong, tmp_path: Path) -> None:
    tenant = (await stack.tenant())["id"]
    schema_file = tmp_path / "order.json"
    schema_file.write_text(json.dumps(ORDER_SCHEMA))
    created = output_json(
        await goutong(
            "event-types",
            "create",
            "order.paid",
            "--schema",
            f"@{schema_file}",
            "--description",
            "An order was paid.",
            "--tenant",
            tenant,
            "--json",
        )
    )
    assert created["name"] == "order.paid" and created["version"] == 1
    assert created["schema"] == ORDER_SCHEMA and created["tenant_id"] == tenant

    table = succeeded(await goutong("event-types", "list", "--tenant", tenant))
    assert "order.paid" in table.stdout and "message.status.delivered" in table.stdout
    listed = output_json(await goutong("event-types", "list", "--tenant", tenant, "--json"))
    assert {"order.paid", "message.status.delivered"} <= {t["name"] for t in listed}

    wider = {**ORDER_SCHEMA, "properties": {**ORDER_SCHEMA["properties"], "amount": {}}}
    added = output_json(
        await goutong(
            "event-types",
            "add-version",
            "order.paid",
            "--tenant",
            tenant,
            "--schema",
            json.dumps(wider),
            "--json",
        )
    )
    assert added["version"] == 2 and added["description"] == "An order was paid."

    shown = succeeded(await goutong("event-types", "show", "order.paid", "--tenant", tenant))
    assert "current_version" in shown.stdout and "versions" in shown.stdout
    deprecate = ["event-types", "deprecate", "order.paid", "--tenant", tenant, "--version", "2"]
    said = succeeded(await goutong(*deprecate))
    assert said.stdout.startswith("deprecated order.paid: version 2")
    detail = output_json(
        await goutong("event-types", "show", "order.paid", "--tenant", tenant, "--json")
    )
    assert detail["current_version"] == 1
    assert [v["deprecated"] for v in detail["versions"]] == [False, True]

    published = ["event-types", "publish", "order.paid", "--tenant", tenant, "--json"]
    assert all(v["published"] for v in output_json(await goutong(*published))["versions"])

    taken = await goutong(
        "event-types", "create", "order.paid", "--schema", "{}", "--tenant", tenant
    )
    assert taken.exit_code == 1 and "error: event_type_exists" in taken.stderr
    builtin = await goutong("event-types", "deprecate", "message.status.delivered")
    assert builtin.exit_code == 1 and "error: event_type_builtin" in builtin.stderr
    unknown = await goutong("event-types", "show", "order.lost", "--tenant", tenant)
    assert unknown.exit_code == 1 and "error: event_type_not_found" in unknown.stderr
    not_json = await goutong("event-types", "create", "order.x", "--schema", "{nope")
    assert not_json.exit_code == 2
