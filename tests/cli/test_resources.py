"""``goutong tenants|endpoints|keys``: human tables, ``--json``, and the exit codes."""

from __future__ import annotations

import asyncio
import sys

from tests.cli.conftest import Goutong, output_json
from tests.support.receiver import Receiver
from tests.support.stack import ADMIN_KEY, Stack


async def test_tenants(stack: Stack, goutong: Goutong) -> None:
    created = output_json(
        await goutong("tenants", "create", "shop", "--description", "d", "--json")
    )
    assert (created["name"], created["description"]) == ("shop", "d")
    listed = await goutong("tenants", "list")
    assert listed.exit_code == 0 and created["id"] in listed.stdout and "shop" in listed.stdout
    assert [t["id"] for t in output_json(await goutong("tenants", "list", "--json"))] == [
        created["id"]
    ]
    shown = await goutong("tenants", "show", created["id"])
    assert shown.exit_code == 0 and "description" in shown.stdout
    assert output_json(await goutong("tenants", "show", created["id"], "--json")) == created

    missing = await goutong("tenants", "show", "tnt_missing")
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith("error: tenant_not_found: ")
    usage = await goutong("tenants", "create")  # NAME is missing
    assert usage.exit_code == 2 and "Missing argument" in usage.stderr
    down = await goutong("--api-url", "http://127.0.0.1:9", "tenants", "list")
    assert down.exit_code == 1 and "error: connection_error" in down.stderr


async def test_endpoints(stack: Stack, goutong: Goutong, receiver: Receiver) -> None:
    tenant = (await stack.tenant())["id"]
    create = ["endpoints", "create", "--tenant", tenant, "--url", receiver.url]
    options = ["-t", "message.status.*", "-H", "X-Env: test", "--retry", '{"max_attempts": 2}']
    created = output_json(await goutong(*create, *options, "--json"))
    assert created["secret"].startswith("whsec_") and created["headers"] == {"X-Env": "test"}
    assert created["retry"]["max_attempts"] == 2 and created["event_types"] == ["message.status.*"]
    endpoint = created["id"]
    human = await goutong(*create, "--name", "second", "--disabled")
    assert human.exit_code == 0 and "whsec_" in human.stdout and "shown once" in human.stdout

    listed = await goutong("endpoints", "list", "--tenant", tenant)
    assert listed.exit_code == 0 and endpoint in listed.stdout and receiver.url in listed.stdout
    assert len(output_json(await goutong("endpoints", "list", "--tenant", tenant, "--json"))) == 2
    shown = output_json(await goutong("endpoints", "show", endpoint, "--json"))
    assert "secret" not in shown and shown["url"] == receiver.url

    update = ["endpoints", "update", endpoint, "--name", "main", "--timeout", "5", "--json"]
    updated = output_json(await goutong(*update))
    assert (updated["name"], updated["timeout_seconds"]) == ("main", 5.0)
    nothing = await goutong("endpoints", "update", endpoint)
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr
    disable = ["endpoints", "disable", endpoint, "--reason", "x", "--json"]
    disabled = output_json(await goutong(*disable))
    assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "x")
    assert output_json(await goutong("endpoints", "enable", endpoint, "--json"))["enabled"] is True
    rotated = output_json(await goutong("endpoints", "rotate-secret", endpoint, "--json"))
    assert rotated["secret"] != created["secret"] and rotated["previous_secret_expires_at"]

    history = output_json(await goutong("endpoints", "revisions", endpoint, "--json"))
    assert [r["action"] for r in history][-1] == "create" and len(history) >= 4
    first = output_json(await goutong("endpoints", "revisions", endpoint, "1", "--json"))
    assert first["config"]["name"] == "" and first["number"] == 1
    table = await goutong("endpoints", "revisions", endpoint)
    assert table.exit_code == 0 and "secret_rotate" in table.stdout
    rolled = output_json(await goutong("endpoints", "rollback", endpoint, "1", "--json"))
    assert (rolled["name"], rolled["timeout_seconds"]) == ("", created["timeout_seconds"])
    again = await goutong("endpoints", "rollback", endpoint, "1")
    assert again.exit_code == 1 and "error: nothing_to_roll_back" in again.stderr

    bad_url = await goutong("endpoints", "create", "--tenant", tenant, "--url", "not a url")
    assert bad_url.exit_code == 2 and "url" in bad_url.stderr  # refused before sending
    bad_json = await goutong(*create, "--retry", "{oops")
    assert bad_json.exit_code == 2 and "--retry" in bad_json.stderr
    refused = await goutong(*create, "--retry", '{"max_attempts": 1000}')
    assert refused.exit_code == 2 and "max_attempts" in refused.stderr
    deleted = await goutong("endpoints", "delete", endpoint)
    assert deleted.exit_code == 0
    gone = await goutong("endpoints", "show", endpoint)
    assert gone.exit_code == 1 and "error: endpoint_not_found" in gone.stderr


async def test_keys(stack: Stack, goutong: Goutong) -> None:
    tenant = (await stack.tenant())["id"]
    created = output_json(await goutong("keys", "create", "--tenant", tenant, "--json"))
    assert created["key"].startswith("gt_") and created["role"] == "tenant_admin"
    listed = await goutong("keys", "list")
    assert listed.exit_code == 0 and created["id"] in listed.stdout
    assert created["id"] in {k["id"] for k in output_json(await goutong("keys", "list", "--json"))}

    as_tenant = await goutong("--api-key", created["key"], "tenants", "list", "--json")
    assert [t["id"] for t in output_json(as_tenant)] == [tenant]
    not_admin = await goutong("--api-key", created["key"], "tenants", "create", "other")
    assert not_admin.exit_code == 1 and "error: admin_required" in not_admin.stderr
    viewer = ["keys", "create", "--role", "viewer", "--tenant", tenant, "--name", "dash"]
    limits = ["--allowed-cidr", "127.0.0.0/8", "--expires-at", "2999-01-01T00:00:00Z", "--json"]
    restricted = output_json(await goutong(*viewer, *limits))
    assert restricted["allowed_cidrs"] == ["127.0.0.0/8"] and restricted["expires_at"]
    looking = await goutong("--api-key", restricted["key"], "endpoints", "list", "--json")
    assert output_json(looking) == []
    refused = await goutong(
        "--api-key", restricted["key"], "endpoints", "create", "--url", "http://x.cn"
    )
    assert refused.exit_code == 1 and "error: role_required" in refused.stderr
    bad_role = await goutong("keys", "create", "--role", "boss")
    assert bad_role.exit_code == 2 and "role" in bad_role.stderr

    assert (await goutong("keys", "revoke", created["id"])).exit_code == 0
    revoked = await goutong("tenants", "list", GOUTONG_API_KEY=created["key"])
    assert revoked.exit_code == 1 and "error: invalid_api_key" in revoked.stderr


async def test_the_installed_entry_point_keeps_its_exit_codes(stack: Stack, api_url: str) -> None:
    """``python -m cli`` in its own process (what the dev stack and scripts run)."""

    async def run(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cli",
            "--api-url",
            api_url,
            "--api-key",
            ADMIN_KEY,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()

    code, out, _ = await run("tenants", "create", "from-a-process", "--json")
    assert code == 0 and '"from-a-process"' in out
    code, out, err = await run("tenants", "show", "tnt_missing")
    assert (code, out) == (1, "") and "error: tenant_not_found" in err
    code, _, err = await run("tenants", "nope")
    assert code == 2 and "No such command" in err


async def test_audit(stack: Stack, goutong: Goutong) -> None:
    tenant = (await stack.tenant())["id"]
    await stack.endpoint(tenant, "http://127.0.0.1:9/hook")
    entries = output_json(await goutong("audit", "--tenant", tenant, "--json"))
    assert [e["action"] for e in entries] == ["endpoint.create", "tenant.create"]
    assert output_json(await goutong("audit", "--action", "tenant.", "--limit", "0", "--json"))
    human = await goutong("audit", "--resource", entries[0]["resource"], "--since", "1h")
    assert human.exit_code == 0 and "endpoint.create" in human.stdout
    assert output_json(await goutong("audit", "--tenant", tenant, "--until", "1d", "--json")) == []
