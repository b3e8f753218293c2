"""``goutong templates ...``: endpoint templates, the named defaults a new endpoint starts from."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import (
    JsonOption,
    api_command,
    open_client,
    parse_headers,
    parse_json_option,
    print_json,
    print_table,
)
from cli.resources import Channels, EventTypes, Headers, Retry, Timeout, show

__all__ = ["templates"]

templates = typer.Typer(help="Endpoint templates: named defaults a new endpoint starts from.")

COLUMNS = ("id", "tenant_id", "name", "revision", "description", "updated_at")


def template_config(config: str | None, **options: Any) -> dict[str, Any]:
    """``--config`` (JSON or @file), with the single options given laid over it."""
    base = parse_json_option("--config", config) or {}
    if not isinstance(base, dict):
        raise typer.BadParameter("--config: a JSON object, e.g. '{\"timeout_seconds\": 5}'")
    options["headers"] = parse_headers(options["headers"])
    options["retry"] = parse_json_option("--retry", options["retry"])
    return {**base, **{k: v for k, v in options.items() if v is not None}}


@templates.command("list")
@api_command
def templates_list(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option(help="A tenant's and the global ones.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every template the key may see (a tenant's own and the global ones)."""
    rows = list(open_client(ctx).templates.iter(tenant=tenant))
    print_json(rows) if as_json else print_table(rows, COLUMNS)


@templates.command("show")
@api_command
def templates_show(ctx: typer.Context, template_id: str, as_json: JsonOption = False) -> None:
    """One template and its configuration."""
    show(open_client(ctx).templates.get(template_id), as_json)


@templates.command("create")
@api_command
def templates_create(
    ctx: typer.Context,
    name: str,
    tenant: Annotated[
        str | None, typer.Option(help="Its tenant; none with an admin key = global.")
    ] = None,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    config: Annotated[
        str | None,
        typer.Option(help="The whole configuration as JSON or @file (the options below win)."),
    ] = None,
    event_type: EventTypes = None,
    channel: Channels = None,
    header: Headers = None,
    timeout: Timeout = None,
    retry: Retry = None,
    as_json: JsonOption = False,
) -> None:
    """Create a template; ``endpoints create --template ID`` starts from it."""
    settings = template_config(
        config,
        event_types=event_type,
        channels=channel,
        headers=header,
        timeout_seconds=timeout,
        retry=retry,
    )
    fields: dict[str, Any] = {"name": name, "description": description, "config": settings}
    if tenant is not None:
        fields["tenant_id"] = tenant
    show(open_client(ctx).templates.create(**fields), as_json)


@templates.command("delete")
@api_command
def templates_delete(ctx: typer.Context, template_id: str) -> None:
    """Delete a template (endpoints made from it keep their configuration)."""
    open_client(ctx).templates.delete(template_id)
    typer.echo(f"deleted {template_id}")
