"""Optional sampling profiles (py-spy) of the worker and the API during a phase, summarised as
the share of samples that pass through each layer (sandbox, store, HTTP client, ...)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.stack import ROOT

__all__ = ["LAYERS", "start_profiles", "summarize_profile"]

# (layer, pattern on a frame's file path); a sample counts once per layer it passes through
LAYERS: list[tuple[str, str]] = [
    ("workflow sandbox", r"temporalio/worker/workflow_sandbox/"),
    ("module imports (sandbox re-imports per run)", r"<frozen importlib"),
    ("workflow code (ours, in sandbox)", r"/workflows/"),
    ("temporal worker (python side)", r"temporalio/worker/_(workflow|activity|workflow_instance)"),
    ("temporal client / start_workflow", r"temporalio/(client|service)\.py"),
    ("payload conversion", r"temporalio/converter\.py"),
    ("store (sqlalchemy + aiosqlite)", r"sqlalchemy/|aiosqlite/|sqlmodel/"),
    ("HTTP client (httpx/httpcore)", r"httpx/|httpcore/"),
    ("HTTP server (uvicorn/starlette/fastapi)", r"uvicorn/|starlette/|fastapi/"),
    ("HTTP/1.1 parsing (h11, client or server)", r"h11/"),
    ("pydantic", r"pydantic"),
    ("logging", r"/logging/|runtime/logs\.py"),
    ("prometheus metrics", r"prometheus_client/"),
    ("signing + envelope", r"core/(signing|envelope|secret_box)\.py|cryptography/"),
]
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def start_profiles(
    pids: dict[str, int], seconds: int, out_dir: Path, rate: int = 50
) -> list[subprocess.Popen[bytes]]:
    """Starts ``py-spy record`` (raw collapsed stacks) on each process, in the background.
    ``--gil``: only the thread holding the GIL is sampled, so shares are of Python CPU time."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        print("  (py-spy is not installed: no profiles)")
        return []
    procs = []
    for name, pid in pids.items():
        out = out_dir / f"{name}.folded"
        cmd = [exe, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate)]
        cmd += ["--format", "raw", "--gil", "--nonblocking", "--output", str(out)]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for raw in stack.split(";"):
        match = _FRAME.match(raw.strip())
        if match:
            frames.append((match["func"], match["file"]))
        else:
            frames.append((raw.strip(), ""))
    return frames


def summarize_profile(path: Path, top: int = 12) -> dict[str, Any]:
    """Share of samples per layer, and the functions most often on top of the stack."""
    if not path.exists():
        return {"samples": 0}
    layers: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = _frames(stack)
        files = [f for _, f in frames]
        for layer, pattern in LAYERS:
            if any(re.search(pattern, f) for f in files):
                layers[layer] += count
        func, file = frames[-1]
        leaves[f"{func} ({_short(file)})"] += count
    if total == 0:
        return {"samples": 0}
    return {
        "samples": total,
        "layers_percent": {k: round(100 * v / total, 1) for k, v in layers.most_common()},
        "top_self_percent": {k: round(100 * v / total, 1) for k, v in leaves.most_common(top)},
    }


def _short(file: str) -> str:
    if file.startswith(str(ROOT) + "/") and "site-packages" not in file:
        return file[len(str(ROOT)) + 1 :]
    parts = Path(file).parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return "/".join(parts[-2:])
