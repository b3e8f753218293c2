"""Batched vs unbatched delivery: ``python -m bench.batched [--events 1000] [--max-events 20]``.

Runs our service twice on stacks of its own (bench.phases.ours): once with plain endpoints, once
with every endpoint batching (``max_events``, ``max_wait_ms``), the same events and endpoints,
and prints delivered/s of both, the ratio, and how many POSTs the receivers got. With
``--receiver-cost-ms C`` each receiver answers one request at a time and spends C ms on it (a
receiver bound by its per-request cost). Writes bench/results/batched-<time>.json. See
docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.phases import Load, Options, ours
from bench.report import print_table, write_json
from bench.sampler import machine_info

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results"


async def _run(args: argparse.Namespace, scratch: Path) -> dict[str, dict[str, Any]]:
    opts = Options(root=scratch, out=scratch, concurrency=args.concurrency, timeout=args.timeout)
    batch = {"max_events": args.max_events, "max_wait_ms": args.max_wait_ms}
    plan = [
        ("unbatched", Load(args.events, args.endpoints)),
        ("batched", Load(args.events, args.endpoints, extra={"endpoint_batch": batch})),
    ]
    phases: dict[str, dict[str, Any]] = {}
    for name, load in plan:
        started = time.monotonic()
        result = await ours(opts, name, load)
        result["wall_seconds"] = round(time.monotonic() - started, 1)
        phases[name] = result
        receiver = result["receiver"]
        print(
            f"    {result['delivered']}/{result['expected']} delivered, "
            f"{result['delivered_per_s']}/s delivered, {receiver['requests_ok']} POSTs "
            f"({receiver.get('batched', 0)} envelopes in batches), {result['wall_seconds']} s",
            flush=True,
        )
    return phases


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.batched", description=__doc__)
    p.add_argument("--events", type=int, default=1000, help="events of each run")
    p.add_argument("--endpoints", type=int, default=10, help="endpoints the events spread over")
    p.add_argument("--concurrency", type=int, default=32, help="event POSTs in flight")
    p.add_argument("--max-events", type=int, default=20, help="batch: envelopes per POST")
    p.add_argument("--max-wait-ms", type=int, default=500, help="batch: wait to fill up")
    p.add_argument(
        "--receiver-cost-ms", type=float, default=0,
        help="ms per request at the receivers, one request at a time each (0: none)",
    )  # fmt: skip
    p.add_argument("--timeout", type=float, help="seconds to wait for deliveries per run")
    p.add_argument("--out", type=Path, default=RESULTS, help="results directory")
    p.add_argument("--keep", action="store_true", help="keep the scratch dir (logs, databases)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    scratch = Path(tempfile.mkdtemp(prefix="goutong-bench-batched-"))
    os.environ["BENCH_RECEIVER_COST_MS"] = str(args.receiver_cost_ms)  # the receivers' process
    try:
        phases = asyncio.run(_run(args, scratch))
    except BaseException:
        print(f"failed; logs and databases are kept in {scratch}", file=sys.stderr)
        raise
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print_table(phases)
    plain, batched = phases["unbatched"], phases["batched"]
    ratio = round(batched["delivered_per_s"] / max(plain["delivered_per_s"], 0.1), 2)
    print(f"  batched / unbatched delivered/s             {ratio}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"batched-{stamp}.json"
    report = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": machine_info(),
        "ratio_delivered_per_s": ratio,
        "phases": phases,
    }
    write_json(path, report)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
