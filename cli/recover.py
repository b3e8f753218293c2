"""``goutong recover``: retry every dead letter in a scope, following the RecoveryWorkflow."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.schemas import RecoveryProgressPublic
from cli.context import (
    JsonOption,
    WhenOption,
    api_command,
    console,
    open_client,
    parse_time,
    print_json,
    usage,
)
from client import GouTongClient

__all__ = ["recover"]


@api_command
def recover(
    ctx: typer.Context,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint's callbacks.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's callbacks.")] = None,
    since: WhenOption = None,
    until: WhenOption = None,
    event_type: Annotated[str | None, typer.Option(help="Only this event type.")] = None,
    include_delivered: Annotated[
        bool, typer.Option(help="Replay delivered callbacks too (same webhook-id).")
    ] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="No endpoint or tenant: every tenant's dead letters.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be recovered.")] = False,
    wait: Annotated[bool, typer.Option(help="Follow the progress until it ends.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Retry every dead-lettered callback of an endpoint, a tenant, a time range, an event type.

    Runs as a RecoveryWorkflow on the server (durable, cancellable with
    ``POST /v1/recoveries/{id}/cancel``); this command starts it and shows its progress.
    """
    if not (endpoint or tenant or everything):
        raise usage("give --endpoint or --tenant (or --all for every tenant)")
    client = open_client(ctx)
    started = client.recoveries.start(
        tenant_id=tenant,
        endpoint_id=endpoint,
        event_type=event_type,
        since=parse_time(since),
        until=parse_time(until),
        include_delivered=include_delivered,
        dry_run=dry_run,
    )
    if started.recovery_id is None or not wait:
        if as_json:
            print_json(started)
        elif dry_run:
            typer.echo(f"{started.matched} callbacks would be recovered")
        else:
            typer.echo(f"recovery {started.recovery_id} started: {started.matched} callbacks")
        return
    final = _follow(client, started.recovery_id, started.matched, show_bar=not as_json)
    if as_json:
        print_json({"matched": started.matched, **final.model_dump(mode="json")})
    else:
        typer.echo(
            f"recovery {final.recovery_id} {final.state}: {final.retried} retried, "
            f"{final.skipped} skipped of {final.processed} processed"
        )


def _follow(
    client: GouTongClient, recovery_id: str, matched: int, show_bar: bool
) -> RecoveryProgressPublic:
    """Polls the recovery's progress query (through the API) until it is no longer running."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console(err=True), disable=not show_bar) as bar:
        task = bar.add_task(f"recovering ({recovery_id})", total=matched)
        for progress in client.recoveries.follow(recovery_id, interval=0.5):
            bar.update(task, completed=progress.processed, total=max(matched, progress.processed))
    return progress
