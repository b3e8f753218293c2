"""Healthy-endpoint latency with a slow endpoint in the mix, per retry isolation option:
``python -m bench.isolation [--rate 10] [--seconds 40] [--options none,queue,share] [--repeat 1]``.

Each run is our service on a stack of its own (bench.phases.ours): first the healthy endpoints
alone at ``--rate`` events/s, then for every option (``OPTIONS``: settings) the same healthy
events plus as many again to one more endpoint that answers only after ``--slow-seconds``
(longer than the endpoint's 15 s timeout: every try to it times out). Prints the healthy
callbacks' p50/p99 (accepted -> received) and delivered/s for each; writes
bench/results/isolation-<time>.json. See docs/performance.md (isolation).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.phases import Load, Options, ours
from bench.report import write_json
from bench.sampler import machine_info
from bench.stack import free_port

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results"
OPTIONS: dict[str, dict[str, str]] = {  # every value explicit, whatever the defaults
    "none": {"GOUTONG_RETRY_ISOLATION": "off", "GOUTONG_ENDPOINT_SLOT_SHARE": "0"},
    "queue": {"GOUTONG_RETRY_ISOLATION": "queue", "GOUTONG_ENDPOINT_SLOT_SHARE": "0"},
    "priority": {"GOUTONG_RETRY_ISOLATION": "priority", "GOUTONG_ENDPOINT_SLOT_SHARE": "0"},
    "share": {"GOUTONG_RETRY_ISOLATION": "off", "GOUTONG_ENDPOINT_SLOT_SHARE": "0.25"},
    "queue-share": {"GOUTONG_RETRY_ISOLATION": "queue", "GOUTONG_ENDPOINT_SLOT_SHARE": "0.25"},
}


async def _slow_endpoint(delay: float) -> tuple[str, web.AppRunner, list[int]]:
    """A receiver that holds every request ``delay`` seconds (in this process: it only sleeps)."""
    seen = [0]

    async def handle(_: web.Request) -> web.Response:
        seen[0] += 1
        await asyncio.sleep(delay)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, shutdown_timeout=0.1).start()
    return f"http://127.0.0.1:{port}/hook", runner, seen


def _plan(args: argparse.Namespace, slow_url: str) -> list[tuple[str, Load]]:
    healthy = max(1, int(args.rate * args.seconds))
    plan: list[tuple[str, Load]] = []
    for rep in range(1, args.repeat + 1):
        suffix = f"-{rep}" if args.repeat > 1 else ""
        plan.append((f"healthy-only{suffix}", Load(healthy, args.endpoints, rate=args.rate)))
        for option in args.options.split(","):
            extra = {"dead_url": slow_url}
            load = Load(
                2 * healthy, args.endpoints, rate=2 * args.rate, dead="slow", extra=extra,
                env=OPTIONS[option],
            )  # fmt: skip
            plan.append((f"slow-{option}{suffix}", load))
    return plan


async def _run(args: argparse.Namespace, scratch: Path) -> dict[str, dict[str, Any]]:
    opts = Options(root=scratch, out=scratch, concurrency=args.concurrency, timeout=args.timeout)
    slow_url, runner, seen = await _slow_endpoint(args.slow_seconds)
    phases: dict[str, dict[str, Any]] = {}
    try:
        for name, load in _plan(args, slow_url):
            before, started = seen[0], time.monotonic()
            result = await ours(opts, name, load)
            result["wall_seconds"] = round(time.monotonic() - started, 1)
            result["slow_requests"] = seen[0] - before
            phases[name] = result
            lat = result["latency_ms"]
            print(
                f"    healthy {result['delivered']}/{result['expected']} delivered, "
                f"p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms, "
                f"{result['delivered_per_s']}/s; slow endpoint got {result['slow_requests']} "
                f"requests ({result['wall_seconds']} s)",
                flush=True,
            )
    finally:
        await runner.cleanup()
    return phases


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.isolation", description=__doc__)
    p.add_argument("--rate", type=float, default=10.0, help="healthy events/s")
    p.add_argument("--seconds", type=float, default=40.0, help="seconds of load per run")
    p.add_argument("--endpoints", type=int, default=10, help="healthy endpoints")
    p.add_argument("--slow-seconds", type=float, default=30.0, help="the slow endpoint's delay")
    p.add_argument("--options", default="none,queue,share", help=f"of {', '.join(OPTIONS)}")
    p.add_argument("--repeat", type=int, default=1, help="runs of the whole plan")
    p.add_argument("--concurrency", type=int, default=32, help="event POSTs in flight")
    p.add_argument("--timeout", type=float, help="seconds to wait for deliveries per run")
    p.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    scratch = Path(tempfile.mkdtemp(prefix="goutong-bench-isolation-"))
    try:
        phases = asyncio.run(_run(args, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n  {'run':<22} {'healthy p50 ms':>15} {'p99 ms':>9} {'delivered/s':>12}")
    for name, result in phases.items():
        lat = result["latency_ms"]
        print(
            f"  {name:<22} {lat['p50']:>15.0f} {lat['p99']:>9.0f} {result['delivered_per_s']:>12}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"isolation-{stamp}.json"
    report = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": machine_info(),
        "phases": phases,
    }
    write_json(path, report)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
