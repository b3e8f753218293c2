"""``goutong tenants|endpoints|keys ...``: configuration through the API."""

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
    print_record,
    print_table,
    usage,
)

__all__ = ["endpoints", "show", "tenants"]

tenants = typer.Typer(help="Tenants: the business systems that receive callbacks.")
endpoints = typer.Typer(help="Endpoints: where a tenant's callbacks go.")

TENANT_COLUMNS = ("id", "name", "description", "created_at")
ENDPOINT_COLUMNS = ("id", "tenant_id", "name", "url", "enabled", "event_types", "channels")


def show(value: Any, as_json: bool, note: str = "") -> None:
    if as_json:
        print_json(value)
        return
    print_record(value)
    if note:
        typer.echo(note)


# --- tenants -----------------------------------------------------------------------------------


@tenants.command("list")
@api_command
def tenants_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every tenant the key may see."""
    rows = list(open_client(ctx).tenants.iter())
    print_json(rows) if as_json else print_table(rows, TENANT_COLUMNS)


@tenants.command("create")
@api_command
def tenants_create(
    ctx: typer.Context,
    name: str,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create a tenant (admin key)."""
    show(open_client(ctx).tenants.create(name=name, description=description), as_json)


@tenants.command("show")
@api_command
def tenantsshow(ctx: typer.Context, tenant_id: str, as_json: JsonOption = False) -> None:
    """One tenant."""
    show(open_client(ctx).tenants.get(tenant_id), as_json)


# --- endpoints ---------------------------------------------------------------------------------

EventTypes = Annotated[
    list[str] | None,
    typer.Option("--event-type", "-t", help="Exact type or pattern (repeat); none = all."),
]
Channels = Annotated[
    list[str] | None, typer.Option("--channel", help="Channel type (repeat); none = all.")
]
Headers = Annotated[
    list[str] | None, typer.Option("--header", "-H", help="'Name: value' sent with each call.")
]
Retry = Annotated[
    str | None,
    typer.Option(help="Retry policy as JSON or @file, e.g. '{\"max_attempts\": 5}'."),
]
Timeout = Annotated[float | None, typer.Option("--timeout", help="Seconds per attempt (1-60).")]


def _endpoint_fields(**values: Any) -> dict[str, Any]:
    """The options given, as API fields (options left out are not sent)."""
    values["headers"] = parse_headers(values["headers"])
    values["retry"] = parse_json_option("--retry", values["retry"])
    return {k: v for k, v in values.items() if v is not None}


@endpoints.command("list")
@api_command
def endpoints_list(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every endpoint the key may see."""
    rows = list(open_client(ctx).endpoints.iter(tenant=tenant))
    print_json(rows) if as_json else print_table(rows, ENDPOINT_COLUMNS)


@endpoints.command("create")
@api_command
def endpoints_create(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(help="Where callbacks are POSTed.")],
    tenant: Annotated[str | None, typer.Option(help="Implied by a tenant key.")] = None,
    name: str | None = None,
    event_type: EventTypes = None,
    channel: Channels = None,
    header: Headers = None,
    timeout: Timeout = None,
    retry: Retry = None,
    secret: Annotated[str | None, typer.Option(help="whsec_...; generated when left out.")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it disabled.")] = False,
    template: Annotated[
        str | None, typer.Option(help="Start from this template (the options given win).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an endpoint; its signing secret is printed once."""
    fields = _endpoint_fields(
        tenant_id=tenant,
        template_id=template,
        url=url,
        name=name,
        event_types=event_type,
        channels=channel,
        headers=header,
        timeout_seconds=timeout,
        retry=retry,
        secret=secret,
        enabled=False if disabled else None,
    )
    created = open_client(ctx).endpoints.create(**fields)
    show(created, as_json, "The secret is shown once: store it with the receiver.")


@endpoints.command("show")
@api_command
def endpointsshow(ctx: typer.Context, endpoint_id: str, as_json: JsonOption = False) -> None:
    """One endpoint (without its secret)."""
    show(open_client(ctx).endpoints.get(endpoint_id), as_json)


@endpoints.command("update")
@api_command
def endpoints_update(
    ctx: typer.Context,
    endpoint_id: str,
    url: str | None = None,
    name: str | None = None,
    event_type: EventTypes = None,
    channel: Channels = None,
    header: Headers = None,
    timeout: Timeout = None,
    retry: Retry = None,
    as_json: JsonOption = False,
) -> None:
    """Change the options given (lists replace the old ones)."""
    fields = _endpoint_fields(
        url=url,
        name=name,
        event_types=event_type,
        channels=channel,
        headers=header,
        timeout_seconds=timeout,
        retry=retry,
    )
    if not fields:
        raise usage("nothing to change: give at least one option")
    show(open_client(ctx).endpoints.update(endpoint_id, **fields), as_json)


@endpoints.command("disable")
@api_command
def endpoints_disable(
    ctx: typer.Context,
    endpoint_id: str,
    reason: Annotated[str | None, typer.Option(help="Kept with who and when.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Stop routing new events to it (callbacks in flight go on)."""
    show(open_client(ctx).endpoints.disable(endpoint_id, reason), as_json)


@endpoints.command("enable")
@api_command
def endpoints_enable(ctx: typer.Context, endpoint_id: str, as_json: JsonOption = False) -> None:
    """Route new events to it again."""
    show(open_client(ctx).endpoints.enable(endpoint_id), as_json)


@endpoints.command("delete")
@api_command
def endpoints_delete(ctx: typer.Context, endpoint_id: str) -> None:
    """Delete an endpoint."""
    open_client(ctx).endpoints.delete(endpoint_id)
    typer.echo(f"deleted {endpoint_id}")


@endpoints.command("rotate-secret")
@api_command
def endpoints_rotate_secret(
    ctx: typer.Context,
    endpoint_id: str,
    secret: Annotated[str | None, typer.Option(help="whsec_...; generated when left out.")] = None,
    grace: Annotated[
        int, typer.Option(help="Seconds the old secret keeps signing too (0-604800).")
    ] = 86400,
    as_json: JsonOption = False,
) -> None:
    """A new signing secret; the old one also signs during the grace period."""
    rotated = open_client(ctx).endpoints.rotate_secret(
        endpoint_id, secret=secret, grace_seconds=grace
    )
    show(rotated, as_json)


REVISION_COLUMNS = ("number", "action", "actor", "created_at", "rolled_back_to", "changes")


@endpoints.command("revisions")
@api_command
def endpoints_revisions(
    ctx: typer.Context,
    endpoint_id: str,
    number: Annotated[
        int | None, typer.Argument(help="One revision, with its configuration.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Its configuration history, newest first: who changed what, when."""
    client = open_client(ctx)
    if number is not None:
        show(client.endpoints.revision(endpoint_id, number), as_json)
        return
    rows = list(client.endpoints.iter_revisions(endpoint_id))
    print_json(rows) if as_json else print_table(rows, REVISION_COLUMNS)


@endpoints.command("rollback")
@api_command
def endpoints_rollback(
    ctx: typer.Context, endpoint_id: str, number: int, as_json: JsonOption = False
) -> None:
    """Make it as revision NUMBER left it (not the signing secret); itself a new revision."""
    show(open_client(ctx).endpoints.rollback(endpoint_id, number), as_json)
