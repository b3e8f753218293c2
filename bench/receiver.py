"""Benchmark receivers, run as their own process: ``python -m bench.receiver``.

``--ok N`` receivers answer 200, ``--fail N`` answer ``--fail-status`` (dead endpoints), each
on a port of its own chosen by the kernel; the ports are written to ``--ports-file`` (JSON).
The first receipt time (``time.time()``) of every ``webhook-id`` is kept (of every envelope
``id`` in a batch: a body that is a JSON array); the control port answers ``GET /stats``
(counts) and ``GET /dump`` (all receipts as JSON). ``--cost-ms C`` (default: the environment's
``BENCH_RECEIVER_COST_MS``, else 0) makes each receiver a slow one: it answers one request at a
time and spends C ms on each (bench.batched: where batched delivery pays).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["ReceiptLog", "main"]


@dataclass
class ReceiptLog:
    """What the receivers saw: first receipt per webhook-id, and plain counts."""

    first: dict[str, tuple[float, int, int]] = field(default_factory=dict)  # id -> t, port, size
    requests_ok: int = 0
    requests_failed: int = 0
    duplicates: int = 0
    batched: int = 0  # envelopes that came in batch POSTs

    def record(self, webhook_id: str, port: int, size: int) -> None:
        if webhook_id in self.first:
            self.duplicates += 1
            return
        self.first[webhook_id] = (time.time(), port, size)

    def stats(self) -> dict[str, int]:
        return {
            "unique_ok": len(self.first),
            "requests_ok": self.requests_ok,
            "requests_failed": self.requests_failed,
            "duplicates": self.duplicates,
            "batched": self.batched,
        }


def _hook_app(
    log: ReceiptLog, port: list[int], fail_status: int | None, cost_ms: float = 0
) -> web.Application:
    """One receiver; ``port`` is filled in once it listens."""
    one_at_a_time = asyncio.Lock()

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if cost_ms:
            async with one_at_a_time:
                await asyncio.sleep(cost_ms / 1000)
        if fail_status is not None:
            log.requests_failed += 1
            return web.Response(status=fail_status, text="unavailable")
        log.requests_ok += 1
        if body[:1] == b"[":  # a batch: every envelope is a receipt of its own
            envelopes = json.loads(body)
            log.batched += len(envelopes)
            for envelope in envelopes:
                log.record(str(envelope["id"]), port[0], len(body) // len(envelopes))
        else:
            log.record(request.headers.get("webhook-id", ""), port[0], len(body))
        return web.Response(text="ok")

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/{tail:.*}", handle)
    return app


def _control_app(log: ReceiptLog) -> web.Application:
    async def stats(_: web.Request) -> web.Response:
        return web.json_response(log.stats())

    async def dump(_: web.Request) -> web.Response:
        rows = [[key, t, port, size] for key, (t, port, size) in log.first.items()]
        return web.json_response({"receipts": rows, **log.stats()})

    app = web.Application()
    app.router.add_get("/stats", stats)
    app.router.add_get("/dump", dump)
    return app


async def _listen(app: web.Application, runners: list[web.AppRunner]) -> int:
    """Serves ``app`` on a free 127.0.0.1 port; returns the port."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    runners.append(runner)
    return int(runner.addresses[-1][1])


def _write_ports(path: str, ports: dict[str, list[int]]) -> None:
    scratch = f"{path}.tmp"
    with open(scratch, "w") as out:
        json.dump(ports, out)
    os.replace(scratch, path)  # the parent sees all ports at once, or none


async def serve(ports_file: str, ok: int, fail: int, status: int, cost_ms: float = 0) -> None:
    log = ReceiptLog()
    runners: list[web.AppRunner] = []
    ports: dict[str, list[int]] = {"ok": [], "fail": []}
    for kind, count, answer in (("ok", ok, None), ("fail", fail, status)):
        for _ in range(count):
            port = [0]
            port[0] = await _listen(_hook_app(log, port, answer, cost_ms), runners)
            ports[kind].append(port[0])
    control = await _listen(_control_app(log), runners)
    _write_ports(ports_file, {"control": [control], **ports})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for runner in runners:
            await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ports-file", required=True, help="where the chosen ports are written")
    parser.add_argument("--ok", type=int, default=1, help="receivers answering 200")
    parser.add_argument("--fail", type=int, default=0, help="receivers answering --fail-status")
    parser.add_argument("--fail-status", type=int, default=503)
    parser.add_argument(
        "--cost-ms",
        type=float,
        default=float(os.environ.get("BENCH_RECEIVER_COST_MS", "0")),
        help="ms each request takes, one at a time per receiver (0: none)",
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.ports_file, args.ok, args.fail, args.fail_status, args.cost_ms))


if __name__ == "__main__":
    main()
