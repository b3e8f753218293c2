"""``goutong linkage-rules ...`` and ``goutong suppressions ...``: follow-on rules and the
suppression list (docs/linkage.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

import typer

from cli.context import (
    JsonOption,
    api_command,
    console,
    open_client,
    parse_json_option,
    print_json,
    print_table,
)
from cli.resources import Channels, EventTypes, show

__all__ = ["linkage_rules", "suppressions"]

linkage_rules = typer.Typer(help="Linkage rules: what a callback's outcome or event starts.")
suppressions = typer.Typer(help="The suppression list: recipients not to message any more.")

RULE_COLUMNS = ("id", "tenant_id", "name", "enabled", "triggers", "action", "filter")
SUPPRESSION_COLUMNS = ("id", "tenant_id", "recipient", "channel", "reason", "source", "created_at")

Kind = Literal["notify", "suppress", "webhook", "escalate", "workflow"]


class Trigger(StrEnum):  # typer takes no list of Literal
    event = "event"
    delivered = "delivered"
    dead_lettered = "dead_lettered"
    cancelled = "cancelled"
    recovered = "recovered"


Tenant = Annotated[str | None, typer.Option(help="Implied by a tenant key.")]


# --- linkage rules -----------------------------------------------------------------------------


def rule_action(kind: str, **options: Any) -> dict[str, Any]:
    """The action object of ``kind`` from the options given (the API checks what it needs)."""
    return {"kind": kind, **{k: v for k, v in options.items() if v is not None}}


def rule_filter(
    base: str | None,
    event_types: list[str] | None,
    channels: list[str] | None,
    endpoints: list[str] | None,
) -> dict[str, Any]:
    """``--filter`` (JSON or @file) with the list options given laid over it."""
    chosen = parse_json_option("--filter", base) or {}
    if not isinstance(chosen, dict):
        raise typer.BadParameter('--filter: a JSON object, e.g. \'{"channels": ["sms"]}\'')
    lists = {"event_types": event_types, "channels": channels, "endpoint_ids": endpoints}
    return {**chosen, **{k: v for k, v in lists.items() if v is not None}}


@linkage_rules.command("list")
@api_command
def rules_list(ctx: typer.Context, tenant: Tenant = None, as_json: JsonOption = False) -> None:
    """Every rule the key may see."""
    rows = list(open_client(ctx).linkage_rules.iter(tenant=tenant))
    print_json(rows) if as_json else print_table(rows, RULE_COLUMNS)


@linkage_rules.command("show")
@api_command
def rules_show(ctx: typer.Context, rule_id: str, as_json: JsonOption = False) -> None:
    """One rule."""
    show(open_client(ctx).linkage_rules.get(rule_id), as_json)


@linkage_rules.command("create")
@api_command
def rules_create(
    ctx: typer.Context,
    name: str,
    action: Annotated[Kind, typer.Option(help="What the rule does (docs/linkage.md).")],
    on: Annotated[list[Trigger], typer.Option("--on", help="When it fires (repeat for several).")],
    tenant: Tenant = None,
    event_type: EventTypes = None,
    channel: Channels = None,
    endpoint: Annotated[
        list[str] | None, typer.Option(help="Only this endpoint's callbacks (repeat).")
    ] = None,
    filter: Annotated[
        str | None,
        typer.Option(
            help='Whole filter as JSON or @file, e.g. \'{"data": {"error.code": ["x"]}}\'.'
        ),
    ] = None,
    url: Annotated[str | None, typer.Option(help="webhook: where it POSTs.")] = None,
    webhook_event_type: Annotated[
        str | None, typer.Option(help="webhook: the derived event's type.")
    ] = None,
    threshold: Annotated[int | None, typer.Option(help="escalate: dead letters.")] = None,
    window: Annotated[float | None, typer.Option(help="escalate: within seconds.")] = None,
    workflow_type: Annotated[str | None, typer.Option(help="workflow: your type.")] = None,
    task_queue: Annotated[str | None, typer.Option(help="workflow: your task queue.")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a rule; a webhook rule's signing secret is printed once."""
    fields: dict[str, Any] = {
        "name": name,
        "enabled": not disabled,
        "triggers": [trigger.value for trigger in on],
        "filter": rule_filter(filter, event_type, channel, endpoint),
        "action": rule_action(
            action,
            url=url,
            event_type=webhook_event_type,
            threshold=threshold,
            window_seconds=window,
            workflow_type=workflow_type,
            task_queue=task_queue,
        ),
    }
    if tenant is not None:
        fields["tenant_id"] = tenant
    created = open_client(ctx).linkage_rules.create(**fields)
    note = "The secret is shown once: store it with the receiver." if created.secret else ""
    show(created, as_json, note)


@linkage_rules.command("delete")
@api_command
def rules_delete(ctx: typer.Context, rule_id: str) -> None:
    """Delete a rule (callbacks accepted before keep the follow-ons they took)."""
    open_client(ctx).linkage_rules.delete(rule_id)
    typer.echo(f"deleted {rule_id}")


# --- suppressions ------------------------------------------------------------------------------


@suppressions.command("list")
@api_command
def suppressions_list(
    ctx: typer.Context, tenant: Tenant = None, as_json: JsonOption = False
) -> None:
    """Every suppressed recipient the key may see."""
    rows = list(open_client(ctx).suppressions.iter(tenant=tenant))
    print_json(rows) if as_json else print_table(rows, SUPPRESSION_COLUMNS)


@suppressions.command("check")
@api_command
def suppressions_check(
    ctx: typer.Context, recipient: str, tenant: Tenant = None, as_json: JsonOption = False
) -> None:
    """Is this recipient suppressed? (exit 0 either way; the answer is printed)"""
    found = open_client(ctx).suppressions.check(recipient, tenant=tenant)
    if as_json:
        print_json(found)
    elif found.entry is not None:
        entry = found.entry
        console().print(
            f"{recipient} is suppressed: {entry.reason} ({entry.source}, {entry.id})",
            markup=False,
        )
    else:
        console().print(f"{recipient} is not suppressed", markup=False)


@suppressions.command("add")
@api_command
def suppressions_add(
    ctx: typer.Context,
    recipient: str,
    channel: Annotated[str | None, typer.Option(help="Only on this channel.")] = None,
    reason: Annotated[str, typer.Option(help="Why (kept with the entry).")] = "manual",
    tenant: Tenant = None,
    as_json: JsonOption = False,
) -> None:
    """Suppress a recipient."""
    fields: dict[str, Any] = {"recipient": recipient, "channel": channel, "reason": reason}
    if tenant is not None:
        fields["tenant_id"] = tenant
    show(open_client(ctx).suppressions.add(**fields), as_json)


@suppressions.command("remove")
@api_command
def suppressions_remove(ctx: typer.Context, suppression_id: str) -> None:
    """Take an entry off the list (by its id: see ``list`` or ``check``)."""
    open_client(ctx).suppressions.remove(suppression_id)
    typer.echo(f"removed {suppression_id}")
