"""The API as a real uvicorn process on a free port (for crash and fuzz tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.settings import Settings
from tests.support.receiver import free_port
from tests.support.stack import ADMIN_KEY

ROOT = Path(__file__).resolve().parents[2]


class ApiProcess:
    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "GOUTONG_DATA_DIR": str(settings.data_dir),
            "GOUTONG_DATABASE_URL": settings.database_url,
            "GOUTONG_TEMPORAL_ADDRESS": settings.temporal_address,
            "GOUTONG_TEMPORAL_TASK_QUEUE": settings.temporal_task_queue,
            "GOUTONG_ADMIN_API_KEY": ADMIN_KEY,
            "GOUTONG_API_RATE_LIMIT_PER_SECOND": str(settings.api_rate_limit_per_second),
            "GOUTONG_PUBLIC_RATE_LIMIT_PER_SECOND": str(settings.public_rate_limit_per_second),
            "GOUTONG_ALLOWED_TARGET_NETWORKS": ",".join(settings.allowed_target_networks),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        cmd = [sys.executable, "-m", "uvicorn", "api.app:served_app", "--factory"]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        cmd += ["--no-proxy-headers"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the API did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
