"""`goutong dev` (what `make run` runs): the whole stack starts, answers, and stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from runtime.devstack import dev_target_networks, temporal_binary, temporal_dev_args
from tests.support.groups import SERIAL
from tests.support.receiver import free_port
from tests.support.stack import make_settings

pytestmark = SERIAL  # see tests/support/groups.py

ROOT = Path(__file__).resolve().parents[2]


def _start(data: Path, ports: dict[str, int]) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOUTONG_")},
        "GOUTONG_DATA_DIR": str(data),
        "GOUTONG_DEV_TEMPORAL_PORT": str(ports["temporal"]),
        "GOUTONG_DEV_TEMPORAL_UI_PORT": str(ports["ui"]),
        "GOUTONG_API_PORT": str(ports["api"]),
        "GOUTONG_WORKER_METRICS_PORT": str(ports["metrics"]),
        "GOUTONG_WORKER_SDK_METRICS_PORT": str(ports["sdk_metrics"]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "dev"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _read_banner(proc: subprocess.Popen[str], timeout: float = 90) -> str:
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl-C to stop." in line:
            return "".join(lines)
    raise AssertionError("no banner:\n" + "".join(lines))


def _get_when_up(url: str, timeout: float = 30) -> str:
    """The worker starts its metrics servers a moment after the API is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == 200 and response.text:
                return response.text
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@contextmanager
def _loopback_receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A real receiver on 127.0.0.1 like the quickstart's: its URL and the bodies it got."""
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callbacks", bodies
    finally:
        server.shutdown()
        server.server_close()


def _quickstart_delivers_to_localhost(api: str, headers: dict[str, str]) -> None:
    """The dev stack allows loopback targets (the README quickstart), still not 10.0.0.0/8."""
    tenant = httpx.post(f"{api}/v1/tenants", headers=headers, json={"name": "shop"}).json()
    refused = httpx.post(
        f"{api}/v1/endpoints",
        headers=headers,
        json={"tenant_id": tenant["id"], "url": "http://10.0.0.1/callbacks"},
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "target_not_allowed")
    with _loopback_receiver() as (url, bodies):
        endpoint = {"tenant_id": tenant["id"], "url": url}
        created = httpx.post(f"{api}/v1/endpoints", headers=headers, json=endpoint)
        assert created.status_code == 201, created.text
        event = {
            "tenant_id": tenant["id"],
            "type": "message.status.delivered",
            "message_id": "msg-0001",
            "channel": {"type": "sms"},
        }
        posted = httpx.post(f"{api}/v1/events", headers=headers, json=event, timeout=10)
        assert posted.status_code == 202, posted.text
        deadline = time.monotonic() + 30
        while not bodies and time.monotonic() < deadline:
            time.sleep(0.2)
        assert bodies and b"msg-0001" in bodies[0]


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=40)
    return out


def test_dev_stack_starts_prints_where_everything_is_and_stops(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("temporal", "ui", "api", "metrics", "sdk_metrics")}
    proc = _start(tmp_path, ports)
    try:
        banner = _read_banner(proc)
        api = f"http://127.0.0.1:{ports['api']}"
        assert f"{api}/docs" in banner
        assert f"http://127.0.0.1:{ports['ui']}" in banner
        assert "(2 processes)" in banner  # GOUTONG_DEV_WORKER_PROCESSES defaults to 2
        key = (tmp_path / "admin.key").read_text().strip()
        assert key in banner
        assert (tmp_path / "admin.key").stat().st_mode & 0o077 == 0
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{api}/healthz").status_code == 200
        assert httpx.get(f"{api}/readyz", timeout=10).status_code == 200
        assert httpx.get(f"{api}/v1/tenants", headers=headers).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{ports['ui']}/", timeout=10).status_code == 200
        assert "goutong_events_total" in httpx.get(f"{api}/metrics").text
        assert "goutong_attempts_total" in _get_when_up(f"http://127.0.0.1:{ports['metrics']}/")
        assert "temporal_" in _get_when_up(f"http://127.0.0.1:{ports['sdk_metrics']}/metrics")
        _quickstart_delivers_to_localhost(api, headers)
    finally:
        out = _stop(proc)
    assert proc.returncode == 0, out
    assert "stopped." in out
    assert (tmp_path / "temporal.db").exists()
    assert "worker polling" in (tmp_path / "worker2.log").read_text()

    # a second start reuses the data directory and does not print a new key
    proc = _start(tmp_path, ports)
    try:
        banner = _read_banner(proc)
        assert key not in banner
        assert "admin.key" in banner
        api = f"http://127.0.0.1:{ports['api']}"
        assert httpx.get(f"{api}/v1/tenants", headers=headers).status_code == 200
    finally:
        _stop(proc)
    assert proc.returncode == 0


def test_temporal_dev_args_use_sqlite_wal_one_partition_and_our_search_attributes(
    tmp_path: Path,
) -> None:
    args = temporal_dev_args(tmp_path / "t.db", 7233, 8233, "default")
    joined = " ".join(args)
    assert f"--db-filename {tmp_path / 't.db'}" in joined
    assert "--sqlite-pragma journal_mode=wal" in joined
    for side in ("Read", "Write"):
        assert f"--dynamic-config-value matching.numTaskqueue{side}Partitions=1" in joined
    assert "--search-attribute GoutongStatus=Keyword" in joined
    assert Path(temporal_binary()).exists()


def test_dev_stack_allows_loopback_targets_unless_told_not(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, "x:1", allowed_target_networks=["10.20.0.0/16"])
    assert dev_target_networks(settings) == ["10.20.0.0/16", "127.0.0.0/8", "::1/128"]
    settings.dev_allow_loopback_targets = False
    assert dev_target_networks(settings) == ["10.20.0.0/16"]
