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
    parse_time,
    print_json,
    print_record,
    print_table,
    usage,
)

__all__ = ["endpoints", "keys", "tenants"]

tenants = typer.Typer(help="Tenants: the business systems that receive callbacks.")
endpoints = typer.Typer(help="Endpoints: where a tenant's callbacks go.")
keys = typer.Typer(help="API keys: create (shown once), list, revoke.")

TENANT_COLUMNS = ("id", "name", "description", "created_at")
ENDPOINT_COLUMNS = ("id", "tenant_id", "name", "url", "enabled", "event_types", "channels")
KEY_COLUMNS = ("id", "name", "role", "tenant_id", "hint", "allowed_cidrs", "expires_at")


def _show(value: Any, as_json: bool, note: str = "") -> None:
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
    _show(open_client(ctx).tenants.create(name=name, description=description), as_json)


@tenants.command("show")
@api_command
def tenants_show(ctx: typer.Context, tenant_id: str, as_json: JsonOption = False) -> None:
    """One tenant."""
    _show(open_client(ctx).tenants.get(tenant_id), as_json)


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
    as_json: JsonOption = False,
) -> None:
    """Create an endpoint; its signing secret is printed once."""
    fields = _endpoint_fields(
        tenant_id=tenant,
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
    _show(created, as_json, "The secret is shown once: store it with the receiver.")


@endpoints.command("show")
@api_command
def endpoints_show(ctx: typer.Context, endpoint_id: str, as_json: JsonOption = False) -> None:
    """One endpoint (without its secret)."""
    _show(open_client(ctx).endpoints.get(endpoint_id), as_json)


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
    _show(open_client(ctx).endpoints.update(endpoint_id, **fields), as_json)


@endpoints.command("disable")
@api_command
def endpoints_disable(
    ctx: typer.Context,
    endpoint_id: str,
    reason: Annotated[str | None, typer.Option(help="Kept with who and when.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Stop routing new events to it (callbacks in flight go on)."""
    _show(open_client(ctx).endpoints.disable(endpoint_id, reason), as_json)


@endpoints.command("enable")
@api_command
def endpoints_enable(ctx: typer.Context, endpoint_id: str, as_json: JsonOption = False) -> None:
    """Route new events to it again."""
    _show(open_client(ctx).endpoints.enable(endpoint_id), as_json)


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
    _show(rotated, as_json)


# --- api keys ----------------------------------------------------------------------------------


@keys.command("list")
@api_command
def keys_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every API key the key may see (hashes are stored; only a hint is shown)."""
    rows = open_client(ctx).api_keys.list()
    print_json(rows) if as_json else print_table(rows, KEY_COLUMNS)


@keys.command("create")
@api_command
def keys_create(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option(help="The one tenant it acts for.")] = None,
    role: Annotated[
        str, typer.Option(help="admin, tenant_admin, operator, viewer or producer.")
    ] = "tenant_admin",
    name: str = "",
    allowed_cidr: Annotated[
        list[str] | None, typer.Option(help="Callers must come from here (repeat).")
    ] = None,
    expires_at: Annotated[
        str | None, typer.Option(help="ISO 8601 (UTC when no zone); 401 after it.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API key; the key is printed once."""
    created = open_client(ctx).api_keys.create(
        name=name,
        role=role,
        tenant_id=tenant,
        allowed_cidrs=allowed_cidr or [],
        expires_at=parse_time(expires_at),
    )
    _show(created, as_json, "The key is shown once.")


@keys.command("revoke")
@api_command
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke an API key at once."""
    open_client(ctx).api_keys.revoke(key_id)
    typer.echo(f"revoked {key_id}")
