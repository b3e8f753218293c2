"""GouTong Callbacks benchmark: ``python -m bench.run [--scenario all] [--events 5000]``.

Starts its own stack (Temporal dev server on a fresh SQLite file, worker and API as processes,
receivers as a process; all on 127.0.0.1 free ports), measures, tears it down, and writes
bench/results/bench-<time>.json and .png. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.levers import LEVERS
from bench.phases import Load, Options, bare_temporal, ours, raw
from bench.report import print_table, ratios, rss_trend, write_json, write_plot
from bench.sampler import machine_info
from tests.support.postgres import postgres_server

__all__ = ["main"]

SCENARIOS = ("throughput", "light", "workers", "endpoints", "dead")
EXTRA = ("levers", "modes", "tuned")  # not part of "all"
RESULTS = Path(__file__).resolve().parent / "results"
Phase = Callable[[Options, str, Load], Awaitable[dict[str, Any]]]


def _plan(args: argparse.Namespace) -> list[tuple[str, Phase, Load]]:
    """Every phase of the chosen scenarios, in order."""
    n, m, small = args.events, args.endpoints, min(args.scale_events, args.events)
    light = max(1, int(args.light_rate * args.light_seconds))
    dead = max(1, int(args.dead_rate * args.dead_seconds))
    chosen = SCENARIOS if args.scenario == "all" else (args.scenario,)
    plan: list[tuple[str, Phase, Load]] = []
    if "throughput" in chosen:
        plan.append(("ours", ours, Load(n, m, profile=True)))
        if args.drain_events:
            drain = Load(min(n, args.drain_events), m, drain=True)
            plan.append(("ours-drain", ours, drain))
        if args.batch_size:
            plan.append(
                ("ours-batch", ours, Load(min(n, args.batch_events), m, batch=args.batch_size))
            )
        if not args.no_floors:
            plan.append(("floor-temporal", bare_temporal, Load(n, m, profile=True)))
            plan.append(("floor-raw-http", raw, Load(n, m)))
    if "light" in chosen:
        plan.append(("light-ours", ours, Load(light, m, rate=args.light_rate)))
        plan.append(("light-floor-temporal", bare_temporal, Load(light, m, rate=args.light_rate)))
    if "workers" in chosen:
        plan += [(f"workers-{w}", ours, Load(small, m, workers=w)) for w in (1, 2)]
    if "endpoints" in chosen:
        plan += [(f"endpoints-{e}", ours, Load(small, e)) for e in (1, 10, 100)]
    if "levers" in chosen:
        few = min(args.lever_events, args.events)
        for lever in LEVERS:
            plan.append((f"lever-drain-{lever}", ours, Load(few, m, drain=True, lever=lever)))
        for lever in ("strict-sandbox", "baseline", "no-sandbox"):
            plan.append((f"lever-full-{lever}", ours, Load(few, m, lever=lever)))
    if "modes" in chosen:  # process layouts and event loops (see docs/performance.md)
        old = {"GOUTONG_EVENT_LOOP": "asyncio", "GOUTONG_API_HTTP": "h11"}
        plan.append(("modes-asyncio-h11", ours, Load(n, m, env=old)))
        plan.append(("modes-uvloop-httptools", ours, Load(n, m)))
        plan.append(("modes-embedded", ours, Load(n, m, workers=0, embedded=True)))
        plan.append(("modes-floor-temporal", bare_temporal, Load(n, m)))
        uvloop = {"BENCH_FLOOR_LOOP": "uvloop"}
        plan.append(("modes-floor-temporal-uvloop", bare_temporal, Load(n, m, env=uvloop)))
        plan.append(("modes-workers2", ours, Load(n, m, workers=2)))
        plan.append(
            ("modes-embedded2", ours, Load(n, m, workers=0, api_processes=2, embedded=True))
        )
    if "tuned" in chosen:  # every kept lever at once, between two floor runs (issue 8's target)
        batch = args.batch_size or 100

        def tuned(env: dict[str, str] | None = None, batched: bool = True) -> Load:
            """2 API processes, each polling too (eager start), batched ingestion."""
            return Load(
                n, m, workers=0, api_processes=2, embedded=True,
                batch=batch if batched else 0, env=env or {}, profile=not env and batched,
            )  # fmt: skip

        plan.append(("tuned-floor-temporal", bare_temporal, Load(n, m)))
        plan.append(("tuned-ours", ours, tuned()))
        plan.append(("tuned-ours-no-sandbox", ours, tuned(LEVERS["no-sandbox"])))
        plan.append(("tuned-ours-default-gc", ours, tuned(LEVERS["default-gc"])))
        plan.append(("tuned-floor-temporal-2", bare_temporal, Load(n, m)))
        plan.append(("tuned-ours-single-posts", ours, tuned(batched=False)))
    if "dead" in chosen:
        plan.append(("dead-without", ours, Load(dead, m, rate=args.dead_rate)))
        plan.append(
            ("dead-with", ours, Load(2 * dead, m, rate=2 * args.dead_rate, dead=args.dead_mode))
        )
    return plan


async def _run(args: argparse.Namespace, scratch: Path, out: Path) -> dict[str, Any]:
    opts = Options(
        root=scratch, out=out, concurrency=args.concurrency, timeout=args.timeout,
        profile=args.profile,
    )  # fmt: skip
    if not args.postgres:
        return await _phases(args, opts)
    with postgres_server() as url:  # Debian's postgresql, as the tests start it
        print(f"store: PostgreSQL {url.rsplit('/', 1)[0]}, a fresh database per phase", flush=True)
        return await _phases(args, dataclasses.replace(opts, postgres_url=url))


async def _phases(args: argparse.Namespace, opts: Options) -> dict[str, Any]:
    phases: dict[str, dict[str, Any]] = {}
    plan = _plan(args)
    print(f"{len(plan)} phases; scratch {opts.root}", flush=True)
    for name, phase, load in plan:
        started = time.monotonic()
        result = await phase(opts, name, load)
        result["wall_seconds"] = round(time.monotonic() - started, 1)
        phases[name] = result
        if result["kind"] == "ours" and not opts.body_size:
            opts.body_size = result["body_bytes"]  # the floors POST bodies of the same size
        lat = result["latency_ms"]
        print(
            f"    {result['delivered']}/{result['expected']} delivered, "
            f"{result['accepted_per_s']}/s accepted, {result['delivered_per_s']}/s delivered, "
            f"p50 {lat['p50']:.0f} ms, p99 {lat['p99']:.0f} ms ({result['wall_seconds']} s)",
            flush=True,
        )
    return phases


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument(
        "--scenario", choices=("all", *SCENARIOS, *EXTRA), default="all",
        help="all = the five measured scenarios; levers = our worker with one option changed",
    )  # fmt: skip
    p.add_argument("--events", type=int, default=5000, help="events of the throughput runs")
    p.add_argument("--endpoints", type=int, default=10, help="endpoints the events spread over")
    p.add_argument("--concurrency", type=int, default=32, help="requests/starts in flight")
    p.add_argument(
        "--scale-events", type=int, default=1000,
        help="events per workers/endpoints run (capped at --events)",
    )  # fmt: skip
    p.add_argument("--batch-size", type=int, default=100, help="events per batch POST; 0 = skip")
    p.add_argument("--batch-events", type=int, default=1000, help="events of the batch run")
    p.add_argument(
        "--drain-events", type=int, default=1500,
        help="events accepted with no worker running, then drained by it; 0 = skip",
    )  # fmt: skip
    p.add_argument(
        "--no-floors", action="store_true",
        help="throughput without the two floors (e.g. the 50,000-callback RSS check)",
    )  # fmt: skip
    p.add_argument("--lever-events", type=int, default=1000, help="events per lever run")
    p.add_argument("--light-rate", type=float, default=10.0, help="events/s of the light run")
    p.add_argument("--light-seconds", type=float, default=20.0)
    p.add_argument("--dead-rate", type=float, default=10.0, help="healthy events/s (dead runs)")
    p.add_argument("--dead-seconds", type=float, default=40.0)
    p.add_argument("--dead-mode", choices=("503", "refused"), default="503")
    p.add_argument("--timeout", type=float, help="seconds to wait for deliveries per phase")
    p.add_argument("--profile", action="store_true", help="py-spy the worker and API (main run)")
    p.add_argument(
        "--postgres", action="store_true",
        help="our store on a throwaway PostgreSQL server (a fresh database per phase)",
    )  # fmt: skip
    p.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    p.add_argument("--keep", action="store_true", help="keep the scratch dir (logs, databases)")
    return p


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM: unwind like Ctrl-C, so every stack is stopped


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    profiles = args.out / f"bench-{stamp}-profiles"
    if args.profile:
        profiles.mkdir()
    scratch = Path(tempfile.mkdtemp(prefix="goutong-bench-"))
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.time()
    try:
        phases = asyncio.run(_run(args, scratch, profiles))
    except KeyboardInterrupt:
        print("interrupted; the stack is stopped", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
        return 130
    except Exception:
        print(f"failed; logs and databases are kept in {scratch}", file=sys.stderr)
        raise
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    machine, ratio = machine_info(), ratios(phases)
    stamp_text = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started))
    wall = round(time.time() - started, 1)
    report: dict[str, Any] = {
        "started": stamp_text,
        "wall_seconds": wall,
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": machine,
        "ratios": ratio,
        "phases": phases,
    }
    print()
    print_table(phases)
    for key, value in ratio.items():
        print(f"  {key:<44} {value}")
    if "ours" in phases:
        report["worker_rss"] = trend = rss_trend(phases["ours"])
        print(f"  worker RSS over the main run (MiB)           {trend}")
    small = min(args.scale_events, args.events)
    if args.scenario in ("all", "workers", "endpoints") and small < args.events:
        print(f"  (workers/endpoints runs use {small} events each, not {args.events})")
    json_path, png_path = args.out / f"bench-{stamp}.json", args.out / f"bench-{stamp}.png"
    write_json(json_path, report)
    title = (
        f"GouTong Callbacks bench {stamp_text} - {machine['cores']} cores "
        f"{machine['cpu_model']}, temporalio {machine['temporalio']}, {machine['temporal_cli']}"
    )
    write_plot(png_path, phases, title)
    print(f"\nresults: {json_path}\n         {png_path}  ({wall} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
