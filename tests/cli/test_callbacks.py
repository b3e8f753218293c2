"""``goutong events send`` to live receivers, ``callbacks ...``, ``verify`` of what arrived."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli.conftest import Goutong, output_json, succeeded
from tests.support.receiver import Answer, Receiver
from tests.support.stack import Stack, fast_retry


async def test_events_send_follows_the_callback_until_delivered(
    stack: Stack, goutong: Goutong, receiver: Receiver, tmp_path: Path
) -> None:
    tenant = (await stack.tenant())["id"]
    endpoint = await stack.endpoint(tenant, receiver.url, event_types=["message.behavior.*"])
    sent = await goutong("events", "send", "--endpoint", endpoint["id"])
    assert sent.exit_code == 0, sent.stderr
    lines = sent.stdout.splitlines()
    assert lines[0].startswith("event evt_") and "accepted: cb_" in lines[0]
    assert "#1 scheduled -> 200 in " in lines[1] and lines[-1].endswith(" delivered")
    [request] = receiver.requests
    assert b'"message.behavior.click"' in request.body  # a type the endpoint takes

    # what arrived verifies with the endpoint's secret, and not once tampered with
    body = tmp_path / "body.json"
    body.write_bytes(request.body)
    headers = [f"-H{name}: {request.headers[name]}" for name in request.headers]
    check = ["verify", str(body), "--secret", endpoint["secret"], *headers]
    ok = await goutong(*check)
    assert ok.exit_code == 0 and ok.stdout.startswith("signature ok: cb_")
    body.write_bytes(request.body.replace(b"click", b"clack"))
    tampered = await goutong(*check)
    assert tampered.exit_code == 1 and "error: invalid_signature" in tampered.stderr

    as_json = output_json(await goutong("events", "send", "--endpoint", endpoint["id"], "--json"))
    [callback] = as_json["callbacks"]
    assert callback["status"] == "delivered" and callback["attempt_log"][0]["status_code"] == 200
    typed = ["events", "send", "--endpoint", endpoint["id"], "--type", "message.status.sent"]
    not_routed = await goutong(*typed)
    assert not_routed.exit_code == 1 and "error: not_routed" in not_routed.stderr
    await stack.api.patch(f"/v1/endpoints/{endpoint['id']}", json={"enabled": False})
    disabled = await goutong("events", "send", "--endpoint", endpoint["id"])
    assert disabled.exit_code == 1 and "is disabled" in disabled.stderr
    await stack.api.patch(f"/v1/endpoints/{endpoint['id']}", json={"enabled": True})
    extra = ["--type", "message.behavior.read", "--data", '{"recipient": "+8613800000000"}']
    extra += ["--no-follow", "--json"]
    accepted = output_json(await goutong("events", "send", "--tenant", tenant, *extra))
    assert len(accepted["callback_ids"]) == 1 and not accepted["duplicate"]
    await receiver.wait_for(3)
    assert b"+8613800000000" in receiver.requests[2].body


async def test_callback_commands_and_a_dead_letter(
    stack: Stack, goutong: Goutong, receiver: Receiver
) -> None:
    receiver.default = Answer(status=500, body=b"down")
    tenant = (await stack.tenant())["id"]
    endpoint = await stack.endpoint(tenant, receiver.url, retry=fast_retry(max_attempts=2))
    failed = await goutong("events", "send", "--endpoint", endpoint["id"], "--timeout", "30")
    assert failed.exit_code == 1 and "error: callback_dead_lettered: cb_" in failed.stderr
    assert "#1 scheduled -> 500" in failed.stdout and "#2 scheduled -> 500" in failed.stdout
    dead = failed.stdout.splitlines()[-1].split()[0]
    assert failed.stdout.splitlines()[-1] == f"{dead} dead_lettered"

    listed = await goutong("callbacks", "list", "--endpoint", endpoint["id"])
    assert listed.exit_code == 0 and dead in listed.stdout and "dead_lettered" in listed.stdout
    only = ["callbacks", "list", "--tenant", tenant, "--status", "dead_lettered", "--json"]
    assert [c["id"] for c in output_json(await goutong(*only))] == [dead]
    assert output_json(await goutong("callbacks", "list", "--status", "delivered", "--json")) == []
    bad_status = await goutong("callbacks", "list", "--status", "lost")
    assert bad_status.exit_code == 2

    shown = await goutong("callbacks", "show", dead)
    assert shown.exit_code == 0 and "attempts" in shown.stdout and "down" in shown.stdout
    assert "temporal_ui_url" in shown.stdout
    detail = output_json(await goutong("callbacks", "show", dead, "--json"))
    assert [a["status_code"] for a in detail["attempt_log"]] == [500, 500]

    # steer a fresh callback that keeps failing, slowly
    slow = await stack.endpoint(tenant, receiver.url, retry=fast_retry(initial_interval_seconds=30))
    event = await stack.post_event(tenant, **{"type": "message.status.sent"})
    [steered] = [c for c in event["callback_ids"] if c.endswith(slow["id"].split("_", 1)[1])]
    await stack.wait_status(steered, "retrying")
    paused = await goutong("callbacks", "pause", steered, "--reason", "looking", "--json")
    assert output_json(paused) == {"callback_id": steered, "action": "pause", "accepted": True}
    await stack.wait_live(steered, "paused")
    resumed = await goutong("callbacks", "resume", steered)
    assert resumed.exit_code == 0 and resumed.stdout.strip() == f"resume: accepted for {steered}"
    succeeded(await goutong("callbacks", "retry", steered))  # tried at once; fails again
    while not any(a["trigger"] == "manual" for a in (await stack.callback(steered))["attempt_log"]):
        await asyncio.sleep(0.1)
    receiver.default = Answer(status=200)
    succeeded(await goutong("callbacks", "retry", steered))
    await stack.wait_status(steered, "delivered")
    closed = await goutong("callbacks", "cancel", steered)
    assert closed.exit_code == 1 and "error: callback_closed" in closed.stderr
    succeeded(await goutong("callbacks", "retry", dead, "--reason", "fixed"))
    await stack.wait_status(dead, "delivered")
    missing = await goutong("callbacks", "show", "cb_nope")
    assert missing.exit_code == 1 and "error: callback_not_found" in missing.stderr

    report = output_json(await goutong("stats", "--tenant", tenant, "--since", "1h", "--json"))
    assert report["tenant_id"] == tenant and report["callbacks"]["delivered"] >= 2
    assert report["top_errors"][0]["error"] == "HTTP 500"
    human = await goutong("stats", "--endpoint", endpoint["id"])
    assert human.exit_code == 0 and "success_rate" in human.stdout and "top errors" in human.stdout
    window = await goutong("stats", "--since", "1h", "--until", "2h")
    assert window.exit_code == 1 and "error: invalid_window" in window.stderr


async def test_cancel_ends_a_callback(stack: Stack, goutong: Goutong, receiver: Receiver) -> None:
    receiver.default = Answer(status=503)
    tenant = (await stack.tenant())["id"]
    await stack.endpoint(tenant, receiver.url, retry=fast_retry(initial_interval_seconds=30))
    [callback] = (await stack.post_event(tenant))["callback_ids"]
    await stack.wait_status(callback, "retrying")
    cancelled = await goutong("callbacks", "cancel", callback, "--json")
    assert output_json(cancelled)["action"] == "cancel"
    assert (await stack.wait_status(callback, "cancelled"))["status"] == "cancelled"


async def test_redirect_sends_a_retrying_callback_elsewhere_once(
    stack: Stack, goutong: Goutong, receiver: Receiver, second_receiver: Receiver
) -> None:
    receiver.default = Answer(status=503)
    tenant = (await stack.tenant())["id"]
    await stack.endpoint(tenant, receiver.url, retry=fast_retry(initial_interval_seconds=30))
    [callback] = (await stack.post_event(tenant))["callback_ids"]
    await stack.wait_status(callback, "retrying")
    redirected = await goutong(
        "callbacks", "redirect", callback, second_receiver.url, "--reason", "stand-in"
    )
    assert redirected.exit_code == 0, redirected.stderr
    assert (
        redirected.stdout.strip() == f"redirect: accepted for {callback} -> {second_receiver.url}"
    )
    [request] = await second_receiver.wait_for(1)
    assert request.headers["webhook-id"] == callback  # the same callback, signed the same way
    delivered = await stack.wait_status(callback, "delivered")
    assert delivered["attempt_log"][-1]["target_url"] == second_receiver.url
    assert len(receiver.requests) == 1  # the endpoint's own target was not tried again

    audit = output_json(await goutong("audit", "--resource", callback, "--json"))
    assert [e["action"] for e in audit] == ["callback.redirect"]
    refused = await goutong("callbacks", "redirect", callback, "http://10.1.2.3/hook", "--json")
    assert refused.exit_code == 1 and "error: target_not_allowed" in refused.stderr
    not_url = await goutong("callbacks", "redirect", callback, "not a url")
    assert not_url.exit_code == 1 and "error: validation_error" in not_url.stderr
