"""One measured phase each: our service, the bare-Temporal floor, the raw HTTP floor. Every phase
runs on a stack of its own (fresh Temporal SQLite file, fresh store) and is torn down after."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.floor import raw_http, start_floor
from bench.levers import LEVERS
from bench.load import Accepted, Api, Receipts, event_body, fetch_receipts, wait_receipts
from bench.profile import start_profiles, summarize_profile
from bench.sampler import Sampler
from bench.stack import Receivers, Stack, free_port
from bench.stats import delivered_last, history_sizes, summarize
from core.settings import Settings
from tests.support.postgres import fresh_database

__all__ = ["Load", "Options", "bare_temporal", "ours", "raw"]


@dataclass
class Options:
    root: Path  # scratch directory of the stacks
    out: Path  # where profiles go
    concurrency: int = 32
    timeout: float | None = None
    profile: bool = False
    body_size: int = 0  # learned from our first phase; the floors POST the same size
    warmup: int = 20
    postgres_url: str = ""  # a PostgreSQL server: each phase of ours gets a fresh database


@dataclass
class Load:
    events: int
    endpoints: int = 10
    workers: int = 1
    rate: float | None = None
    dead: str | None = None  # "503", "refused", "slow": one more endpoint takes half the events
    batch: int = 0  # events per POST /v1/events/batch; 0 = one POST /v1/events per event
    drain: bool = False  # accept everything first, then start the worker(s)
    lever: str = ""  # a bench.levers.LEVERS key: our worker with one option changed
    api_processes: int = 1  # GOUTONG_API_PROCESSES
    embedded: bool = False  # GOUTONG_API_EMBEDDED_WORKER: each API process polls too (eager)
    env: dict[str, str] = field(default_factory=dict)  # more GOUTONG_* for the API and workers
    profile: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def targets(self, ok: list[str], dead: list[str]) -> list[int]:
        """Which endpoint each event goes to (indexes into ok + dead)."""
        if self.dead:
            return [len(ok) if i % 2 == 0 else (i // 2) % len(ok) for i in range(self.events)]
        return [i % len(ok) for i in range(self.events)]


def _timeout(opts: Options, load: Load) -> float:
    return opts.timeout or 60 + load.events / 4


Send = Callable[[Sampler], Awaitable[Accepted]]


async def _measure(
    opts: Options, stack: Stack, receivers: Receivers, load: Load, expected: int, send: Send
) -> tuple[dict[str, Any], Receipts, Sampler]:
    """Runs ``send()`` under the sampler (and profiler), then waits for ``expected`` receipts."""
    pids = stack.pids(with_children=True)
    sampler = Sampler(pids)
    sampler.start()
    profiles, targets = [], {}
    if opts.profile and load.profile:
        targets = {k: v for k, v in pids.items() if k.startswith(("worker", "api", "floor"))}
        seconds = int(min(30, max(5, load.events / 60)))
        profiles = start_profiles(targets, seconds, opts.out, rate=50)
    accepted = await send(sampler)
    complete = await wait_receipts(receivers.control, expected, _timeout(opts, load))
    await sampler.stop()
    for proc in profiles:
        try:
            await asyncio.to_thread(proc.wait, 60)
        except Exception:
            proc.kill()
    receipts, counts = await fetch_receipts(receivers.control)
    result = summarize(accepted, receipts, expected - opts.warmup)
    result["complete"] = complete
    result["receiver"] = counts
    result["processes"] = sampler.summary()
    if profiles:
        result["profiles"] = {
            name: summarize_profile(opts.out / f"{name}.folded") for name in targets
        }
    mine = {k: v for k, v in receipts.items() if k in accepted.at}
    return result, mine, sampler


def _finish(result: dict[str, Any], kind: str, load: Load, sampler: Sampler) -> dict[str, Any]:
    result["kind"] = kind
    result["load"] = {k: v for k, v in asdict(load).items() if k != "extra"} | load.extra
    result["timeline"] = sampler.timeline(sampler.series["loadgen"][0][0])
    return result


async def ours(opts: Options, name: str, load: Load) -> dict[str, Any]:
    """Our path: POST /v1/events -> API -> Temporal -> worker -> receiver. With ``drain``, the
    worker starts only once every event is accepted (API alone, then worker alone)."""
    print(f"  {name}: ours, {load.events} events, {load.endpoints} endpoints ...", flush=True)
    store = await fresh_database(opts.postgres_url) if opts.postgres_url else ""
    with Stack(opts.root / name, database_url=store) as stack:
        stack.start_temporal()
        receivers = stack.start_receivers(ok=load.endpoints, fail=1 if load.dead == "503" else 0)
        dead = receivers.fail_urls or (
            [load.extra.get("dead_url") or f"http://127.0.0.1:{free_port()}/hook"]
            if load.dead
            else []
        )
        lever = (LEVERS.get(load.lever) or {}) | load.env or None
        stack.start_workers(0 if load.drain else load.workers, lever)
        api_env = {"GOUTONG_API_PROCESSES": str(load.api_processes), **load.env}
        if load.embedded:
            api_env["GOUTONG_API_EMBEDDED_WORKER"] = "true"
        api = Api(stack.start_api(api_env), opts.concurrency)
        client = await stack.client()
        polling = load.api_processes if load.embedded else 0
        try:
            await stack.wait_pollers(client, polling + (0 if load.drain else load.workers))
            batching = load.extra.get("endpoint_batch")  # bench.batched
            tenant, channels = await api.endpoints(receivers.ok_urls + dead, batching)
            warm = [
                event_body("warm", i, channels[i % load.endpoints], tenant)
                for i in range(opts.warmup)
            ]
            await api.ingest(warm, opts.concurrency, None)
            if not load.drain:
                await wait_receipts(receivers.control, opts.warmup, 120)
            targets = load.targets(receivers.ok_urls, dead)
            bodies = [event_body("ev", i, channels[t], tenant) for i, t in enumerate(targets)]
            healthy = sum(1 for t in targets if t < load.endpoints)
            ready: list[float] = []

            async def send(sampler: Sampler) -> Accepted:
                if load.batch:
                    return await api.ingest_batches(bodies, load.batch, 4)
                accepted = await api.ingest(bodies, opts.concurrency, load.rate)
                if load.drain:
                    stack.start_workers(load.workers, lever)
                    await stack.wait_pollers(client, polling + load.workers)
                    ready.append(time.time())
                    for worker, pid in stack.pids().items():
                        if worker.startswith("worker"):
                            sampler.add(worker, pid)
                return accepted

            result, receipts, sampler = await _measure(
                opts, stack, receivers, load, opts.warmup + healthy, send
            )
            if ready and receipts:
                span = max(t for t, _, _ in receipts.values()) - ready[0]
                result["drain_per_s"] = round(len(receipts) / span, 1)
            await asyncio.sleep(1)
            result["history_events"] = await history_sizes(client, list(receipts))
            result["history_events_last"] = await history_sizes(client, delivered_last(receipts))
        finally:
            await api.close()
    return _finish(result, "ours", load, sampler)


async def bare_temporal(opts: Options, name: str, load: Load) -> dict[str, Any]:
    """The floor: one minimal workflow + one regular activity per callback, same settings."""
    print(f"  {name}: bare-Temporal floor, {load.events} workflows ...", flush=True)
    size = opts.body_size or 600
    with Stack(opts.root / name) as stack:
        stack.start_temporal()
        receivers = stack.start_receivers(ok=load.endpoints)
        stack.start_floor_worker(load.env)
        client = await stack.client()
        await stack.wait_pollers(client, 1)
        urls = receivers.ok_urls
        warm = [urls[i % len(urls)] for i in range(opts.warmup)]
        await start_floor(client, stack.task_queue, warm, size, opts.concurrency, None, "warm")
        await wait_receipts(receivers.control, opts.warmup, 120)
        plan = [urls[i % len(urls)] for i in range(load.events)]

        async def send(_: Sampler) -> Accepted:
            return await start_floor(
                client, stack.task_queue, plan, size, opts.concurrency, load.rate, "ev"
            )

        result, receipts, sampler = await _measure(
            opts, stack, receivers, load, opts.warmup + load.events, send
        )
        await asyncio.sleep(1)
        result["history_events"] = await history_sizes(client, list(receipts))
        result["history_events_last"] = await history_sizes(client, delivered_last(receipts))
    return _finish(result, "bare_temporal", load, sampler)


async def raw(opts: Options, name: str, load: Load) -> dict[str, Any]:
    """The floor without Temporal: the same POSTs from this process's loop (httpx)."""
    print(f"  {name}: raw HTTP floor, {load.events} POSTs ...", flush=True)
    size = opts.body_size or 600
    limit = Settings(_env_file=None).http_max_connections  # type: ignore[call-arg]
    with Stack(opts.root / name) as stack:
        receivers = stack.start_receivers(ok=load.endpoints)
        urls = receivers.ok_urls
        warm = [urls[i % len(urls)] for i in range(opts.warmup)]
        await raw_http(warm, size, opts.concurrency, limit, "warm")
        plan = [urls[i % len(urls)] for i in range(load.events)]

        async def send(_: Sampler) -> Accepted:
            return await raw_http(plan, size, opts.concurrency, limit, "ev")

        started = time.time()
        result, _, sampler = await _measure(
            opts, stack, receivers, load, opts.warmup + load.events, send
        )
        result["wall_seconds"] = round(time.time() - started, 2)
    return _finish(result, "raw_http", load, sampler)
