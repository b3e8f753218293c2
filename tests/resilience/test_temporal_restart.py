"""Durability across a Temporal server crash: kill -9 the dev server (SQLite file persisted)
in the middle of a burst, start it again, and every accepted callback is still delivered."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client

from runtime.devstack import temporal_binary, temporal_dev_args
from tests.support.groups import SERIAL
from tests.support.receiver import Answer, Receiver, free_port
from tests.support.stack import Stack, fast_retry, make_settings, open_stack

pytestmark = SERIAL  # see tests/support/groups.py


class DevServer:
    """A `temporal server start-dev` child with a database file, restartable on its port."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.args = temporal_dev_args(data / "temporal.db", self.port, free_port(), "default")
        self.args.append("--headless")
        self.log = data / "temporal.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([temporal_binary(), *self.args], stdout=out, stderr=out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise AssertionError("the Temporal dev server did not start")

    async def client(self) -> Client:
        """A client, once the frontend answers (the port opens before it is healthy)."""
        deadline = time.monotonic() + 60
        while True:
            try:
                return await Client.connect(self.address)
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@pytest_asyncio.fixture(loop_scope="session")
async def own_server(tmp_path: Path) -> AsyncIterator[DevServer]:
    server = DevServer(tmp_path)
    await server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.proc.terminate()
        server.proc.wait(timeout=20)


async def test_temporal_server_crash_loses_no_accepted_callback(
    own_server: DevServer, tmp_path: Path, receiver: Receiver
) -> None:
    client = await own_server.client()
    # the ten 503s below open the endpoint's breaker; 2 s open (not 30) keeps the test on the crash
    settings = make_settings(tmp_path, own_server.address, breaker_open_seconds=2)
    async with AsyncExitStack() as exits:
        stack: Stack = await open_stack(exits, settings, client)
        tenant = await stack.tenant()
        await stack.endpoint(
            tenant["id"],
            receiver.url,
            retry=fast_retry(strategy="fixed", interval_seconds=2, max_attempts=20),
        )
        receiver.answer(*[Answer(status=503) for _ in range(10)])
        callback_ids: list[str] = []
        for n in range(20):
            accepted = await stack.post_event(tenant["id"], id=f"burst-{n}")
            callback_ids += accepted["callback_ids"]
        await receiver.wait_for(10, timeout=60)
        statuses = [(await stack.callback(c))["status"] for c in callback_ids]
        assert statuses.count("delivered") < len(callback_ids)  # the crash hits open work

        own_server.kill()  # mid-burst: some delivered, some retrying, some not yet tried
        await asyncio.sleep(2)
        await own_server.start()

        for callback_id in callback_ids:
            await stack.wait_status(callback_id, "delivered", timeout=120)
    delivered = {r.headers["webhook-id"] for r in receiver.requests}
    assert delivered == set(callback_ids)
