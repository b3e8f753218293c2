"""The ops CLI ``goutong``: run the stack or one of its parts."""

from __future__ import annotations

import os

import typer

from core.settings import get_settings

__all__ = ["app", "main"]

app = typer.Typer(help="GouTong Callbacks: signed, retried, traceable callbacks on Temporal.")


@app.command()
def dev() -> None:
    """Start everything locally: Temporal dev server + Web UI, worker, API."""
    from runtime.devstack import run_dev

    raise typer.Exit(run_dev(get_settings()))


@app.command()
def worker() -> None:
    """Run only the Temporal worker (against GOUTONG_TEMPORAL_ADDRESS)."""
    import worker as worker_module

    worker_module.main()


@app.command()
def api() -> None:
    """Run only the API (uvicorn) on GOUTONG_API_HOST:GOUTONG_API_PORT."""
    import uvicorn

    settings = get_settings()
    uvicorn.run("api.app:create_app", factory=True, host=settings.api_host, port=settings.api_port)


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 0)


if __name__ == "__main__":
    main()
