"""What checking events against the catalogue costs the API: ``python -m bench.validation``.

Times, per event, reading the body with the event model alone and then the catalogue check on
top of it (warm cache: one tenant view, compiled validators), for a built-in and a custom type,
and compiling a schema (what a cold cache pays once per type version). Uses a real SQLite store
in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from api.catalogue import CatalogueCache, EventCheck
from core.builtin_event_types import BUILTIN_EVENT_TYPES
from core.event_types import compile_schema
from core.events import EventIn
from core.settings import Settings
from runtime.bootstrap import bootstrap
from store.db import Database
from store.event_types import create_event_type
from store.tenants import create_tenant

__all__ = ["main"]

BUILTIN: dict[str, Any] = {
    "type": "message.status.failed",
    "message_id": "msg-1",
    "channel": {"type": "sms", "provider": "aliyun", "account": "a-1"},
    "detail": "no route",
    "error": {"code": "E42", "description": "no route to handset"},
    "status_times": {"sent": "2026-11-28T10:00:00+08:00"},
}
CUSTOM: dict[str, Any] = {
    "type": "order.paid",
    "message_id": "msg-1",
    "data": {"order_id": "o-1", "amount": 12.5, "items": [{"sku": "s", "n": 2}] * 5},
}
CUSTOM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["order_id", "amount"],
    "properties": {
        "order_id": {"type": "string", "maxLength": 64},
        "amount": {"type": "number", "minimum": 0},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["sku"],
                "properties": {"sku": {"type": "string"}, "n": {"type": "integer"}},
            },
        },
    },
}


def _per_call_us(run: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - started) / count * 1e6


async def _async_per_call_us(run: Callable[[], Awaitable[object]], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        await run()
    return (time.perf_counter() - started) / count * 1e6


async def measure(count: int) -> dict[str, float]:
    events: TypeAdapter[Any] = TypeAdapter(EventIn)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, data_dir=Path(folder), admin_api_key="gt_bench_0000")  # type: ignore[call-arg]
        db = Database(settings.resolved_database_url())
        try:
            await bootstrap(db, settings)
            async with db.session() as session:
                tenant = await create_tenant(session, name="bench")
                await create_event_type(
                    session,
                    scope=tenant.id,
                    name="order.paid",
                    description="",
                    schema=CUSTOM_SCHEMA,
                    published=False,
                )
            cache = CatalogueCache(ttl_seconds=3600)
            figures: dict[str, float] = {}
            async with db.session() as session:
                for label, body in (("builtin", BUILTIN), ("custom", CUSTOM)):
                    event = events.validate_python(body)
                    check = EventCheck(
                        tenant.id, event.type, None, event.envelope_data(), ("body",), ("body",)
                    )
                    await cache.check(session, [check])  # warm: view loaded, validator compiled
                    figures[f"{label}: model only (us)"] = _per_call_us(
                        partial(events.validate_python, body), count
                    )
                    figures[f"{label}: catalogue check (us)"] = await _async_per_call_us(
                        partial(cache.check, session, [check]), count
                    )
            schema = BUILTIN_EVENT_TYPES[3].schema
            figures["compile a built-in schema (us)"] = _per_call_us(
                lambda: compile_schema(schema), max(count // 10, 1)
            )
            return figures
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    figures = asyncio.run(measure(parser.parse_args().count))
    for label, value in figures.items():
        print(f"{label:40s} {value:8.1f}")


if __name__ == "__main__":
    main()
