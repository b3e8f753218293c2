"""``goutong dev|worker|api|migrate|make-migration``: run the stack or one of its parts."""

from __future__ import annotations

import typer

from core.settings import get_settings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Adds the commands that run processes to the root app."""
    for command in (dev, worker, api, migrate):
        app.command()(command)
    app.command("make-migration")(make_migration)


def dev() -> None:
    """Start everything locally: Temporal dev server + Web UI, worker, API."""
    from runtime.devstack import run_dev

    raise typer.Exit(run_dev(get_settings()))


def worker() -> None:
    """Run only the Temporal worker (against GOUTONG_TEMPORAL_ADDRESS)."""
    import worker as worker_module

    worker_module.main()


def api() -> None:
    """Run only the API (uvicorn) on GOUTONG_API_HOST:GOUTONG_API_PORT."""
    import uvicorn

    from core.masking import rules_from_settings
    from runtime.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format, rules_from_settings(settings))
    uvicorn.run(
        "api.app:served_app",
        factory=True,
        host=settings.api_host,
        port=settings.api_port,
        workers=settings.api_processes,
        loop=settings.event_loop,
        http=settings.api_http,
        log_config=None,  # uvicorn's loggers go through ours (JSON lines)
        proxy_headers=False,  # the caller's address: see GOUTONG_TRUSTED_PROXIES
    )


def migrate() -> None:
    """Apply the store's migrations (every process also does this on start)."""
    import asyncio

    from store.db import Database

    async def run() -> None:
        db = Database(get_settings().resolved_database_url())
        try:
            await db.create_schema()
        finally:
            await db.dispose()

    asyncio.run(run())
    typer.echo("store schema is at the newest revision")


def make_migration(message: str) -> None:
    """Write a new migration for model changes (against a scratch SQLite database)."""
    import asyncio
    import tempfile

    from sqlalchemy.ext.asyncio import create_async_engine

    from store.migrate import new_revision

    async def run(path: str) -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}/scratch.db")
        try:
            await new_revision(engine, message)
        finally:
            await engine.dispose()

    with tempfile.TemporaryDirectory() as scratch:
        asyncio.run(run(scratch))
