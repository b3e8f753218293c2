"""``goutong alerts ...``: alerts (list, show) and alert rules (list, create, show, update,
delete)."""

from __future__ import annotations

from typing import Annotated, Any

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
from cli.resources import show

__all__ = ["alerts"]

alerts = typer.Typer(help="Alerts (firing, resolved) and the rules that raise them.")
rules = typer.Typer(help="Alert rules: success rate, dead letters, breaker open too long.")
alerts.add_typer(rules, name="rules")

ALERT_COLUMNS = (
    "id",
    "state",
    "kind",
    "endpoint_id",
    "rule_name",
    "value",
    "threshold",
    "fired_at",
    "resolved_at",
)
RULE_COLUMNS = (
    "id",
    "tenant_id",
    "name",
    "kind",
    "threshold",
    "window_seconds",
    "min_callbacks",
    "endpoint_id",
    "enabled",
)
TenantOption = Annotated[str | None, typer.Option(help="Only this tenant.")]
ThresholdHelp = (
    "success_rate_below: a rate in (0, 1]; dead_letters_over: a count; breaker: seconds."
)
WindowOption = Annotated[
    float | None, typer.Option("--window", help="Look-back in seconds (not for the breaker).")
]


@alerts.command("list")
@api_command
def alerts_list(
    ctx: typer.Context,
    tenant: TenantOption = None,
    state: Annotated[str | None, typer.Option(help="firing or resolved.")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    kind: Annotated[str | None, typer.Option(help="A rule kind, or escalation.")] = None,
    since: WhenOption = None,
    until: WhenOption = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Alerts, newest first (``--state firing``: what needs attention now)."""
    page = open_client(ctx).alerts.list(
        tenant=tenant,
        state=state,
        endpoint=endpoint,
        rule=rule,
        kind=kind,
        since=parse_time(since),
        until=parse_time(until),
        limit=limit,
    )
    print_json(page.data) if as_json else print_table(page.data, ALERT_COLUMNS)


@alerts.command("show")
@api_command
def alerts_show(ctx: typer.Context, alert_id: str, as_json: JsonOption = False) -> None:
    """One alert."""
    show(open_client(ctx).alerts.get(alert_id), as_json)


@rules.command("list")
@api_command
def rules_list(
    ctx: typer.Context, tenant: TenantOption = None, as_json: JsonOption = False
) -> None:
    """Every alert rule the key may see."""
    found = list(open_client(ctx).alert_rules.iter(tenant=tenant))
    print_json(found) if as_json else print_table(found, RULE_COLUMNS)


@rules.command("create")
@api_command
def rules_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the alert is called.")],
    kind: Annotated[
        str,
        typer.Option(help="success_rate_below, dead_letters_over or breaker_open_longer_than."),
    ],
    threshold: Annotated[float, typer.Option(help=ThresholdHelp)],
    tenant: Annotated[str | None, typer.Option(help="Implied by a tenant key.")] = None,
    window: WindowOption = None,
    min_callbacks: Annotated[
        int, typer.Option(help="success_rate_below: outcomes needed in the window.")
    ] = 10,
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint (else each).")] = None,
    webhook_url: Annotated[
        str | None, typer.Option(help="Also POST this rule's alerts here (own secret).")
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an alert rule; a rule with --webhook-url prints its signing secret once."""
    created = open_client(ctx).alert_rules.create(
        tenant_id=tenant,
        name=name,
        kind=kind,
        threshold=threshold,
        window_seconds=window,
        min_callbacks=min_callbacks,
        endpoint_id=endpoint,
        webhook_url=webhook_url,
        enabled=not disabled,
    )
    show(created, as_json, "The secret is shown once." if created.secret else "")


@rules.command("show")
@api_command
def rules_show(ctx: typer.Context, rule_id: str, as_json: JsonOption = False) -> None:
    """One alert rule."""
    show(open_client(ctx).alert_rules.get(rule_id), as_json)


@rules.command("update")
@api_command
def rules_update(
    ctx: typer.Context,
    rule_id: str,
    name: str | None = None,
    threshold: Annotated[float | None, typer.Option(help=ThresholdHelp)] = None,
    window: WindowOption = None,
    min_callbacks: int | None = None,
    endpoint: Annotated[str | None, typer.Option(help="Watch only this endpoint.")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Also POST here; '' removes it.")] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch it on or off.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change an alert rule (not its kind)."""
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "threshold": threshold,
            "window_seconds": window,
            "min_callbacks": min_callbacks,
            "endpoint_id": endpoint,
            "enabled": enabled,
        }.items()
        if value is not None
    }
    if webhook_url is not None:
        changes["webhook_url"] = webhook_url or None
    updated = open_client(ctx).alert_rules.update(rule_id, **changes)
    show(updated, as_json, "The secret is shown once." if updated.secret else "")


@rules.command("delete")
@api_command
def rules_delete(ctx: typer.Context, rule_id: str) -> None:
    """Delete an alert rule (its firing alerts resolve on the next evaluation)."""
    open_client(ctx).alert_rules.delete(rule_id)
    typer.echo(f"deleted {rule_id}")
