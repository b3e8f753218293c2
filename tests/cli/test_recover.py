"""``goutong recover``: a dry-run count, then the RecoveryWorkflow followed to the end."""

from __future__ import annotations

import asyncio
import json

from tests.cli.conftest import Goutong, output_json, succeeded
from tests.support.api import callbacks_of
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


async def test_recover_counts_then_retries_every_dead_letter(
    stack: Stack, goutong: Goutong, receiver: Receiver
) -> None:
    receiver.default = Answer(status=500)
    tenant = (await stack.tenant())["id"]
    endpoint = (await stack.endpoint(tenant, receiver.url, retry=fast_retry(max_attempts=1)))["id"]
    posted = await asyncio.gather(*(stack.post_event(tenant) for _ in range(6)))
    callbacks = [p["callback_ids"][0] for p in posted]
    for callback in callbacks:
        await stack.wait_status(callback, "dead_lettered")

    dry = await goutong("recover", "--endpoint", endpoint, "--dry-run")
    assert succeeded(dry).stdout == "6 callbacks would be recovered\n"
    scoped = ["recover", "--tenant", tenant, "--since", "1h", "--dry-run", "--json"]
    assert output_json(await goutong(*scoped)) == {
        "recovery_id": None,
        "matched": 6,
        "dry_run": True,
    }
    later = ["recover", "--tenant", tenant, "--since", "2999-01-01T00:00:00", "--dry-run"]
    assert succeeded(await goutong(*later)).stdout.startswith("0 callbacks")
    other_type = ["recover", "--all", "--event-type", "message.status.sent", "--dry-run"]
    assert succeeded(await goutong(*other_type)).stdout.startswith("0 callbacks")
    unscoped = await goutong("recover", "--dry-run")
    assert unscoped.exit_code == 2 and "--endpoint or --tenant" in unscoped.stderr
    bad_time = await goutong("recover", "--tenant", tenant, "--since", "yesterday")
    assert bad_time.exit_code == 2

    receiver.default = Answer(status=200)
    recovered = succeeded(await goutong("recover", "--endpoint", endpoint))
    last = recovered.stdout.splitlines()[-1]
    assert last.startswith("recovery rcv_") and "completed: 6 retried, 0 skipped of 6" in last
    for callback in callbacks:
        await stack.wait_status(callback, "delivered")
    delivered = await callbacks_of(stack.api, endpoint=endpoint, status="delivered")
    assert len(delivered) == 6
    nothing_left = await goutong("recover", "--endpoint", endpoint, "--json")
    assert json.loads(succeeded(nothing_left).stdout)["matched"] == 0
