"""The ops CLI ``goutong``: run the stack, configure it, find and steer callbacks.

Every command that talks to the API goes through the typed client in ``client/``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli import run
from cli.alerts import alerts
from cli.audit import audit
from cli.callbacks import callbacks
from cli.context import Remote
from cli.doctor import doctor
from cli.event_types import event_types
from cli.events import events
from cli.keys import keys
from cli.linkage import linkage_rules, suppressions
from cli.recover import recover
from cli.resources import endpoints, tenants
from cli.stats import stats
from cli.templates import templates
from cli.verify import verify

__all__ = ["app", "main"]

app = typer.Typer(
    help="GouTong Callbacks: signed, retried, traceable callbacks on Temporal.",
    no_args_is_help=True,
)


@app.callback()
def root(
    ctx: typer.Context,
    api_url: Annotated[
        str | None, typer.Option(help="API base URL (GOUTONG_API_URL; default: the dev stack's).")
    ] = None,
    api_key: Annotated[
        str | None, typer.Option(help="API key (GOUTONG_API_KEY; default: data/admin.key).")
    ] = None,
) -> None:
    ctx.obj = Remote(api_url, api_key)


run.register(app)
app.add_typer(tenants, name="tenants")
app.add_typer(endpoints, name="endpoints")
app.add_typer(templates, name="templates")
app.add_typer(event_types, name="event-types")
app.add_typer(linkage_rules, name="linkage-rules")
app.add_typer(suppressions, name="suppressions")
app.add_typer(keys, name="keys")
app.add_typer(callbacks, name="callbacks")
app.add_typer(events, name="events")
app.add_typer(alerts, name="alerts")
app.command()(recover)
app.command()(audit)
app.command()(stats)
app.command()(verify)
app.command()(doctor)


def main() -> None:
    try:
        app()
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 0)
