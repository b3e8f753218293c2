"""``goutong keys ...``: API keys (create, shown once; list; revoke)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import JsonOption, api_command, open_client, parse_time, print_json, print_table
from cli.resources import show

__all__ = ["keys"]

keys = typer.Typer(help="API keys: create (shown once), list, revoke.")

KEY_COLUMNS = ("id", "name", "role", "tenant_id", "hint", "allowed_cidrs", "expires_at")


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
    show(created, as_json, "The key is shown once.")


@keys.command("revoke")
@api_command
def keys_revoke(ctx: typer.Context, key_id: str) -> None:
    """Revoke an API key at once."""
    open_client(ctx).api_keys.revoke(key_id)
    typer.echo(f"revoked {key_id}")
