"""``goutong audit``: who changed what, newest first."""

from __future__ import annotations

from itertools import islice
from typing import Annotated

import typer

from cli.context import (
    JsonOption,
    WhenOption,
    api_command,
    open_client,
    parse_time,
    print_json,
    print_table,
)

__all__ = ["audit"]

COLUMNS = ("at", "actor", "role", "tenant_id", "action", "resource", "address", "summary")


@api_command
def audit(
    ctx: typer.Context,
    tenant: str | None = None,
    actor: Annotated[str | None, typer.Option(help="API key id or JWT subject.")] = None,
    action: Annotated[
        str | None, typer.Option(help="Exact (endpoint.update) or a prefix (endpoint.).")
    ] = None,
    resource: Annotated[str | None, typer.Option(help="The id acted on.")] = None,
    since: WhenOption = None,
    until: WhenOption = None,
    limit: Annotated[int, typer.Option(help="At most this many (0 = all).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The audit log: configuration changes and manual interventions, newest first."""
    found = open_client(ctx).audit.iter(
        tenant=tenant,
        actor=actor,
        action=action,
        resource=resource,
        since=parse_time(since),
        until=parse_time(until),
    )
    rows = list(islice(found, limit) if limit > 0 else found)
    print_json(rows) if as_json else print_table(rows, COLUMNS)
