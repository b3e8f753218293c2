"""``goutong doctor``: Temporal, the store, the API and every endpoint's target, for real."""

from __future__ import annotations

import json

from runtime.alerts import ensure_alerts_workflow
from tests.cli.conftest import Goutong
from tests.support.receiver import Receiver, free_port
from tests.support.stack import Stack


async def test_doctor_finds_the_dead_targets(
    stack: Stack, goutong: Goutong, receiver: Receiver
) -> None:
    tenant = (await stack.tenant())["id"]
    live = await stack.endpoint(tenant, receiver.url)
    closed = await stack.endpoint(tenant, f"http://127.0.0.1:{free_port()}/hook")
    unknown = await stack.endpoint(tenant, "https://goutong-doctor-test.invalid/hook")
    env = {
        "GOUTONG_TEMPORAL_ADDRESS": stack.settings.temporal_address,
        "GOUTONG_TEMPORAL_TASK_QUEUE": stack.settings.temporal_task_queue,
        "GOUTONG_DATABASE_URL": stack.settings.resolved_database_url(),
    }
    no_alerts = await goutong("doctor", "--no-targets", "--json", **env)
    assert no_alerts.exit_code == 1  # no worker started the AlertsWorkflow yet
    [alerts] = [c for c in json.loads(no_alerts.stdout) if c["name"].startswith("alerts ")]
    assert not alerts["ok"] and "start a worker" in alerts["detail"]
    started = await ensure_alerts_workflow(stack.client, stack.settings)  # as a worker does
    result = await goutong("doctor", "--json", "--timeout", "3", **env)
    assert result.exit_code == 1, result.stderr
    checks = {check["name"].split(" (")[0]: check for check in json.loads(result.stdout)}
    assert checks[f"temporal {stack.settings.temporal_address}"]["ok"]
    assert next(c for n, c in checks.items() if n.startswith("store "))["ok"]
    assert next(c for n, c in checks.items() if n.startswith("api "))["ok"]
    running = checks[f"alerts workflow {stack.settings.alerts_workflow_id}"]
    assert running["ok"] and started.result_run_id in running["detail"]
    port = receiver.url.split(":")[2].split("/")[0]
    assert checks[f"target {live['id']} 127.0.0.1:{port}"]["ok"]
    dead = next(c for n, c in checks.items() if n.startswith(f"target {closed['id']}"))
    assert not dead["ok"] and dead["detail"].startswith("TCP connect to 127.0.0.1")
    nowhere = checks[f"target {unknown['id']} goutong-doctor-test.invalid:443"]
    assert not nowhere["ok"] and nowhere["detail"].startswith("DNS")

    human = await goutong("doctor", "--timeout", "3", **env)
    assert human.exit_code == 1 and "FAIL" in human.stdout and closed["id"] in human.stdout
    healthy = await goutong("doctor", "--no-targets", **env)
    assert healthy.exit_code == 0, healthy.stdout
    no_store = await goutong(
        "doctor",
        "--no-targets",
        **{**env, "GOUTONG_DATABASE_URL": "sqlite+aiosqlite:////nope/x.db"},
    )
    assert no_store.exit_code == 1 and "no database file" in no_store.stdout
    await started.terminate("test over")
