"""The quickstart's example receiver verifies real callbacks and rejects forged ones."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from core.signing import generate_secret, signature_headers
from tests.support.receiver import free_port
from tests.support.stack import Stack, status_event

ROOT = Path(__file__).resolve().parents[2]


async def _wait_listening(port: int) -> None:
    for _ in range(100):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise AssertionError("the example receiver did not start")


def _start(port: int, secret: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "examples/receiver.py", "--port", str(port), "--secret", secret],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


async def test_example_receiver_verifies_a_batch(stack: Stack) -> None:
    port = free_port()
    tenant = await stack.tenant()
    url = f"http://127.0.0.1:{port}/callbacks"
    endpoint = await stack.endpoint(tenant["id"], url, batch={"max_events": 3})
    proc = _start(port, endpoint["secret"])
    try:
        await _wait_listening(port)
        events = [status_event(tenant_id=tenant["id"]) for _ in range(3)]
        response = await stack.api.post("/v1/events/batch", json={"events": events})
        assert response.status_code == 202, response.text
        ids = [i for e in response.json()["events"] for i in e["callback_ids"]]
        for callback_id in ids:
            assert (await stack.wait_status(callback_id, "delivered"))["last_status_code"] == 204
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert "BATCH     bat_" in out
    for callback_id in ids:
        assert f"VERIFIED  message.status.delivered  {callback_id}\n" in out


async def test_example_receiver_verifies_a_delivered_callback(stack: Stack) -> None:
    port = free_port()
    tenant = await stack.tenant()
    endpoint = await stack.endpoint(tenant["id"], f"http://127.0.0.1:{port}/callbacks")
    proc = subprocess.Popen(
        [
            sys.executable,
            "examples/receiver.py",
            "--port",
            str(port),
            "--secret",
            endpoint["secret"],
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        await _wait_listening(port)
        [callback_id] = (await stack.post_event(tenant["id"]))["callback_ids"]
        body = await stack.wait_status(callback_id, "delivered")
        assert body["last_status_code"] == 204

        forged = b'{"type":"message.status.delivered"}'
        headers = signature_headers([generate_secret()], "cb_forged", 1_900_000_000, forged)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/callbacks", content=forged, headers=headers
            )
        assert response.status_code == 401
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"VERIFIED  message.status.delivered  {callback_id}" in out
    assert "REJECTED  cb_forged" in out
