"""Mounts the console's pages and static files on the API application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from console.pages import (
    alerts,
    audit,
    auth,
    callbacks,
    charts,
    dead_letters,
    endpoints,
    event_types,
    keys,
    revisions,
    tenants,
)

__all__ = ["install_console"]

STATIC = Path(__file__).parent / "static"


def install_console(app: FastAPI) -> None:
    for module in (
        auth,
        tenants,
        endpoints,
        revisions,
        event_types,
        callbacks,
        dead_letters,
        charts,
        alerts,
        keys,
        audit,
    ):
        app.include_router(module.router, prefix="/console", include_in_schema=False)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
