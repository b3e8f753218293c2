"""``goutong doctor``: is Temporal reachable, the store readable, the alert evaluation running,
the API up, every target open?"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from alembic.script import ScriptDirectory
from rich.table import Table
from sqlalchemy import text

from api.schemas import EndpointPublic
from cli.context import JsonOption, console, open_client, print_json
from client import ApiError, GouTongClient
from core.settings import Settings

__all__ = ["doctor"]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


async def _temporal(settings: Settings, seconds: float) -> Check:
    from runtime.temporal import connect

    name = f"temporal {settings.temporal_address}"
    try:
        client = await asyncio.wait_for(connect(settings), seconds)
        await asyncio.wait_for(client.service_client.check_health(), seconds)
    except Exception as exc:
        return Check(name, False, _why(exc))
    return Check(name, True, f"namespace {settings.temporal_namespace} answers")


async def _alerts(settings: Settings, seconds: float) -> Check:
    """The AlertsWorkflow runs (every worker starts it; none running: no alert is evaluated)."""
    from temporalio.client import WorkflowExecutionStatus

    from runtime.temporal import connect

    name = f"alerts workflow {settings.alerts_workflow_id}"
    try:
        client = await asyncio.wait_for(connect(settings), seconds)
        handle = client.get_workflow_handle(settings.alerts_workflow_id)
        described = await asyncio.wait_for(handle.describe(), seconds)
    except Exception as exc:
        return Check(name, False, f"{_why(exc)}: start a worker")
    if described.status != WorkflowExecutionStatus.RUNNING:
        status = described.status.name.lower() if described.status else "unknown"
        return Check(name, False, f"{status}: start a worker (it starts it again)")
    return Check(name, True, f"running (run {described.run_id})")


async def _store(settings: Settings) -> Check:
    from store.db import Database
    from store.migrate import alembic_config

    url = settings.resolved_database_url()
    name = "store " + url.split("://", 1)[0]
    path = Path(url.split(":///", 1)[-1])
    if url.startswith("sqlite") and not await asyncio.to_thread(path.is_file):
        return Check(name, False, f"no database file at {path}")
    db = Database(url)
    try:
        async with db.session() as session:
            result = await session.exec(text("SELECT version_num FROM alembic_version"))  # type: ignore[call-overload]
            current = result.scalar()
    except Exception as exc:
        return Check(name, False, _why(exc))
    finally:
        await db.dispose()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if current != head:
        return Check(name, False, f"schema at {current}, newest is {head}: run goutong migrate")
    return Check(name, True, f"schema at the newest revision ({head})")


def _api(client: GouTongClient) -> Check:
    name = f"api {client.http.base_url}"
    try:
        client.readyz()
        client.tenants.list(limit=1)
    except ApiError as exc:
        return Check(name, False, f"{exc.code}: {exc.message}")
    return Check(name, True, "ready; the key is accepted")


_DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6380}


async def _target(endpoint: EndpointPublic, url: str, seconds: float) -> Check:
    """DNS resolution and a TCP connect to one target (no request is sent)."""
    parts = urlsplit(url)
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 80)
    name = f"target {endpoint.id} {parts.hostname}:{port}"
    if not endpoint.enabled:
        name += " (endpoint disabled)"
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM), seconds
        )
    except (OSError, TimeoutError) as exc:
        return Check(name, False, f"DNS: {_why(exc)}")
    address = str(infos[0][4][0])
    started = time.monotonic()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), seconds)
    except (OSError, TimeoutError) as exc:
        return Check(name, False, f"TCP connect to {address}: {_why(exc)}")
    writer.close()
    elapsed = (time.monotonic() - started) * 1000
    return Check(name, True, f"{address} accepts connections ({elapsed:.0f} ms)")


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _checks(
    settings: Settings, client: GouTongClient, with_targets: bool, seconds: float
) -> list[Check]:
    checks = list(
        await asyncio.gather(
            _temporal(settings, seconds), _store(settings), _alerts(settings, seconds)
        )
    )
    api = await asyncio.to_thread(_api, client)
    checks.append(api)
    if with_targets and api.ok:
        endpoints = await asyncio.to_thread(lambda: list(client.endpoints.iter()))
        targets = [(e, t.url) for e in endpoints for t in e.targets if t.enabled]
        checks += await asyncio.gather(*(_target(e, url, seconds) for e, url in targets))
    return checks


def doctor(
    ctx: typer.Context,
    targets: Annotated[
        bool, typer.Option(help="Also check every enabled target of every endpoint.")
    ] = True,
    timeout: Annotated[float, typer.Option(help="Seconds per check.")] = 5.0,
    as_json: JsonOption = False,
) -> None:
    """Check Temporal, the store (this machine's settings), the API and the endpoints' targets.

    Exits 1 when any check fails.
    """
    checks = asyncio.run(_checks(Settings(), open_client(ctx), targets, timeout))
    if as_json:
        print_json([asdict(c) for c in checks])
    else:
        table = Table("check", "result", "detail")
        for check in checks:
            table.add_row(check.name, "ok" if check.ok else "FAIL", check.detail)
        console().print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
