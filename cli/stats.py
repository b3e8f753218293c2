"""``goutong stats``: the quality report of a tenant or an endpoint over a window."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import (
    JsonOption,
    WhenOption,
    api_command,
    open_client,
    parse_time,
    print_json,
    print_record,
    print_table,
)

__all__ = ["stats"]


@api_command
def stats(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint.")] = None,
    since: WhenOption = None,
    until: WhenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Success rate, latency percentiles, attempts per success and top errors (default 24 h)."""
    report = open_client(ctx).stats.get(
        tenant=tenant, endpoint=endpoint, since=parse_time(since), until=parse_time(until)
    )
    if as_json:
        print_json(report)
        return
    print_record(report, skip=("top_errors",))
    if report.top_errors:
        print_table(report.top_errors, ("error", "count"), title="top errors")
