"""``goutong event-types ...``: the event type catalogue (built-in and custom types, each with
versioned JSON Schemas of its ``data``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.context import (
    JsonOption,
    api_command,
    console,
    open_client,
    parse_json_option,
    print_json,
    print_record,
    print_table,
)
from client import models as m

__all__ = ["event_types"]

event_types = typer.Typer(help="Event types: the catalogue of types and their data schemas.")

COLUMNS = ("name", "version", "tenant_id", "builtin", "published", "deprecated", "description")
VERSION_COLUMNS = ("version", "description", "published", "deprecated", "created_at")

Tenant = Annotated[
    str | None, typer.Option(help="The tenant whose type it is (a tenant key implies it).")
]
Schema = Annotated[
    str, typer.Option("--schema", help="JSON Schema of the event's data, as JSON or @file.")
]


def _schema(value: str) -> dict[str, Any]:
    schema = parse_json_option("--schema", value)
    if not isinstance(schema, dict):
        raise typer.BadParameter("--schema: a JSON object (a JSON Schema)")
    return schema


def _show_detail(detail: m.EventTypeDetail, as_json: bool) -> None:
    if as_json:
        print_json(detail)
        return
    print_record(detail, skip=("versions",))
    print_table(detail.versions, VERSION_COLUMNS, title="versions")


def _show_version(version: m.EventTypePublic, as_json: bool) -> None:
    if as_json:
        print_json(version.model_dump(mode="json", by_alias=True))
    else:
        print_record(version)


@event_types.command("list")
@api_command
def event_types_list(
    ctx: typer.Context,
    tenant: Annotated[str | None, typer.Option(help="The global types and this tenant's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every type version the key may see: the global ones and a tenant's own."""
    listed = open_client(ctx).event_types.list(tenant=tenant)
    if as_json:
        print_json([row.model_dump(mode="json", by_alias=True) for row in listed.data])
    else:
        print_table(listed.data, COLUMNS)


@event_types.command("show")
@api_command
def event_types_show(
    ctx: typer.Context, name: str, tenant: Tenant = None, as_json: JsonOption = False
) -> None:
    """One type: its current version and every version with its schema (``--json``)."""
    _show_detail(open_client(ctx).event_types.get(name, tenant=tenant), as_json)


@event_types.command("create")
@api_command
def event_types_create(
    ctx: typer.Context,
    name: str,
    schema: Schema,
    description: Annotated[str, typer.Option(help="What the event means.")] = "",
    tenant: Tenant = None,
    publish: Annotated[
        bool, typer.Option("--publish", help="List it in the public GET /v1/catalog.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register a custom type at version 1."""
    fields: dict[str, Any] = {
        "name": name,
        "description": description,
        "data_schema": _schema(schema),
        "published": publish,
    }
    if tenant is not None:
        fields["tenant_id"] = tenant
    _show_version(open_client(ctx).event_types.create(**fields), as_json)


@event_types.command("add-version")
@api_command
def event_types_add_version(
    ctx: typer.Context,
    name: str,
    schema: Schema,
    description: Annotated[
        str | None, typer.Option(help="Default: the previous version's.")
    ] = None,
    tenant: Tenant = None,
    as_json: JsonOption = False,
) -> None:
    """A new version with a new schema; events naming no version get it from now on."""
    added = open_client(ctx).event_types.add_version(
        name, _schema(schema), description=description, tenant=tenant
    )
    _show_version(added, as_json)


@event_types.command("deprecate")
@api_command
def event_types_deprecate(
    ctx: typer.Context,
    name: str,
    version: Annotated[int | None, typer.Option(help="Only this version; default: all.")] = None,
    tenant: Tenant = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a type (or one version) deprecated: still accepted, no longer the default."""
    detail = open_client(ctx).event_types.deprecate(name, version=version, tenant=tenant)
    if not as_json:
        which = f"version {version}" if version is not None else "every version"
        console().print(f"deprecated {name}: {which}", markup=False)
    _show_detail(detail, as_json)


@event_types.command("publish")
@api_command
def event_types_publish(
    ctx: typer.Context,
    name: str,
    unpublish: Annotated[
        bool, typer.Option("--unpublish", help="Take it off the public catalogue.")
    ] = False,
    tenant: Tenant = None,
    as_json: JsonOption = False,
) -> None:
    """List a type in the public GET /v1/catalog (or take it off with ``--unpublish``)."""
    detail = open_client(ctx).event_types.publish(name, not unpublish, tenant=tenant)
    _show_detail(detail, as_json)
