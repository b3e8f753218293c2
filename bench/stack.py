"""A bench stack of its own: Temporal dev server, workers, API and receivers as child processes
on free 127.0.0.1 ports, in a fresh directory, stopped in reverse order (also on Ctrl-C)."""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from runtime.devstack import temporal_binary, temporal_dev_args

__all__ = ["ADMIN_KEY", "ROOT", "Child", "Receivers", "Stack", "free_port"]

ROOT = Path(__file__).resolve().parents[1]
ADMIN_KEY = "gt_bench_admin_key_0123456789abcdef"
_LIVE: list[Stack] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Receivers:
    control: str  # http://127.0.0.1:P
    ok_urls: list[str]
    fail_urls: list[str]


@dataclass
class Stack:
    """One phase's processes; ``with Stack(...) as s`` stops them whatever happens."""

    dir: Path
    children: list[Child] = field(default_factory=list)
    temporal_address: str = ""
    task_queue: str = "bench-callbacks"
    database_url: str = ""  # empty: SQLite in the stack's data dir

    def __enter__(self) -> Stack:
        self.dir.mkdir(parents=True, exist_ok=True)
        _LIVE.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> Child:
        log = self.dir / f"{name}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.dir,  # no stray .env from the checkout
                env=env or self.env(),
                start_new_session=True,  # Ctrl-C reaches the bench only; it stops the children
            )
        child = Child(name, proc, log)
        self.children.append(child)
        return child

    def env(self, **extra: str) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith("GOUTONG_")}
        base.pop("DATABASE_URL", None)
        base["PYTHONPATH"] = str(ROOT)
        base.update(
            GOUTONG_DATA_DIR=str(self.dir / "data"),
            GOUTONG_TEMPORAL_ADDRESS=self.temporal_address,
            GOUTONG_TEMPORAL_TASK_QUEUE=self.task_queue,
            GOUTONG_ADMIN_API_KEY=ADMIN_KEY,
            GOUTONG_API_RATE_LIMIT_PER_SECOND="0",  # measure the pipeline, not the API limiter
            GOUTONG_ALLOWED_TARGET_NETWORKS="127.0.0.0/8,::1/128",  # the bench's receivers
            GOUTONG_REGISTER_SEARCH_ATTRIBUTES="true",
        )
        if self.database_url:
            base["GOUTONG_DATABASE_URL"] = self.database_url
        base.update(extra)
        return base

    def pid(self, name: str) -> int:
        return next(c.proc.pid for c in self.children if c.name == name)

    def pids(self, with_children: bool = False) -> dict[str, int]:
        """Each child's pid; ``with_children``: also its own children as ``<name>-<n>`` (e.g.
        the processes of ``uvicorn --workers N``)."""
        pids = {c.name: c.proc.pid for c in self.children}
        if with_children:
            for child in self.children:
                try:
                    kids = psutil.Process(child.proc.pid).children(recursive=True)
                except psutil.Error:
                    continue
                for n, kid in enumerate(k for k in kids if "python" in k.name().lower()):
                    pids[f"{child.name}-{n + 1}"] = kid.pid
        return pids

    def start_temporal(self, in_memory: bool = False) -> str:
        """The dev server as ``make run`` starts it (SQLite file, WAL), but headless."""
        port, ui_port = free_port(), free_port()
        args = temporal_dev_args(self.dir / "temporal.db", port, ui_port, "default")
        if in_memory:  # lever experiments only: no persistence at all
            at = args.index("--db-filename")
            del args[at : at + 2]
        args += ["--headless", "--http-port", str(free_port()), "--metrics-port", str(free_port())]
        args += os.environ.get("BENCH_TEMPORAL_ARGS", "").split()  # experiments only
        child = self.spawn("temporal", [temporal_binary(), *args], env=dict(os.environ))
        _wait_for_port(port, 60, child)
        self.temporal_address = f"127.0.0.1:{port}"
        return self.temporal_address

    def start_workers(self, count: int, lever: dict[str, str] | None = None) -> None:
        """``python -m worker`` as ``goutong worker`` runs it; with a lever, bench.levers."""
        module = "bench.levers" if lever else "worker"
        for i in range(count):
            env = self.env(
                GOUTONG_WORKER_METRICS_PORT=str(free_port()),
                GOUTONG_WORKER_SDK_METRICS_PORT=str(free_port()),
                **(lever or {}),
            )
            name = f"worker{i + 1}" if count > 1 else "worker"
            self.spawn(name, [sys.executable, "-m", module], env)

    def start_api(self, extra: dict[str, str] | None = None) -> str:
        """The API as ``goutong api`` runs it in production (uvicorn, JSON logs)."""
        port = free_port()
        env = self.env(GOUTONG_API_HOST="127.0.0.1", GOUTONG_API_PORT=str(port), **(extra or {}))
        child = self.spawn("api", [sys.executable, "-m", "cli", "api"], env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            _check_alive(child)
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the API did not start; see {child.log}")

    def start_floor_worker(self, extra: dict[str, str] | None = None) -> None:
        cmd = [sys.executable, "-m", "bench.floor", "worker"]
        self.spawn("floor-worker", cmd, self.env(**(extra or {})))

    def start_receivers(self, ok: int, fail: int = 0, fail_status: int = 503) -> Receivers:
        ports_file = self.dir / "receiver-ports.json"
        cmd = [sys.executable, "-m", "bench.receiver", "--ports-file", str(ports_file)]
        cmd += ["--ok", str(ok), "--fail", str(fail), "--fail-status", str(fail_status)]
        child = self.spawn("receiver", cmd)
        deadline = time.monotonic() + 30
        while not ports_file.exists():
            _check_alive(child)
            if time.monotonic() > deadline:
                raise RuntimeError(f"the receivers did not start; see {child.log}")
            time.sleep(0.05)
        ports = json.loads(ports_file.read_text())
        return Receivers(
            control=f"http://127.0.0.1:{ports['control'][0]}",
            ok_urls=[f"http://127.0.0.1:{p}/hook" for p in ports["ok"]],
            fail_urls=[f"http://127.0.0.1:{p}/hook" for p in ports["fail"]],
        )

    async def client(self) -> Client:
        return await Client.connect(self.temporal_address)

    async def wait_pollers(self, client: Client, count: int, within: float = 60) -> None:
        """Waits until ``count`` workers poll the task queue (imports and bootstrap done)."""
        deadline = time.monotonic() + within
        request = DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=self.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
        while time.monotonic() < deadline:
            for child in self.children:
                _check_alive(child)
            described = await client.workflow_service.describe_task_queue(request)
            if len({p.identity for p in described.pollers}) >= count:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{count} worker(s) did not start polling; see {self.dir}/*.log")

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in reversed(self.children):
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()
        self.children.clear()
        if self in _LIVE:
            _LIVE.remove(self)


def _check_alive(child: Child) -> None:
    if child.proc.poll() is not None:
        raise RuntimeError(f"{child.name} exited with {child.proc.returncode}; see {child.log}")


def _wait_for_port(port: int, timeout: float, child: Child) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_alive(child)
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}; see {child.log}")


@atexit.register
def _stop_leftovers() -> None:
    for stack in list(_LIVE):
        stack.stop()
