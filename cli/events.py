"""``goutong events send``: try an endpoint with an event and watch its callback's attempts."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

import typer

from api.schemas import CallbackDetail, EndpointPublic
from cli.callbacks import describe_attempt
from cli.context import JsonOption, api_command, fail, open_client, parse_json_option, print_json
from client import GouTongClient
from core.events import BEHAVIOR_TYPES, STATUS_TYPES
from core.ids import callback_id
from core.routing import type_matches

__all__ = ["events"]

events = typer.Typer(help="Events: post one to try an endpoint.")

DEFAULT_TYPE = "message.status.delivered"
_NEEDS_ERROR = ("failed", "undelivered", "rejected")


def _event_type(endpoint: EndpointPublic | None) -> str:
    """The default type when the endpoint takes it, else the first known type it takes."""
    patterns = endpoint.event_types if endpoint else []
    known = (DEFAULT_TYPE, *STATUS_TYPES, *BEHAVIOR_TYPES)
    return next((t for t in known if not patterns or type_matches(patterns, t)), DEFAULT_TYPE)


def _event(event_type: str, tenant_id: str | None, channel: str, extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": event_type,
        "message_id": f"try-{uuid.uuid4().hex[:12]}",
        "channel": {"type": channel},
    }
    if tenant_id:
        event["tenant_id"] = tenant_id
    if event_type in STATUS_TYPES:
        event["detail"] = "sent by goutong events send"
        if event_type.rsplit(".", 1)[1] in _NEEDS_ERROR:
            event["error"] = {"code": "TRY", "description": "sent by goutong events send"}
    elif event_type in BEHAVIOR_TYPES:
        event["detail"] = {"note": "sent by goutong events send"}
    if extra is not None:
        if not isinstance(extra, dict):
            raise typer.BadParameter("must be a JSON object", param_hint="--data")
        event.update(extra)
    return event


@events.command("send")
@api_command
def events_send(
    ctx: typer.Context,
    endpoint: Annotated[
        str | None, typer.Option(help="Try this endpoint: its tenant, its callback followed.")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Without --endpoint: whose event.")] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="Default: one the endpoint takes.")
    ] = None,
    channel: Annotated[str, typer.Option(help="Channel type of the message.")] = "sms",
    data: Annotated[
        str | None, typer.Option(help="JSON (or @file) merged into the event body.")
    ] = None,
    follow: Annotated[bool, typer.Option(help="Watch the callbacks until they end.")] = True,
    timeout: Annotated[float, typer.Option(help="Seconds to follow before giving up.")] = 60.0,
    as_json: JsonOption = False,
) -> None:
    """Post one event and follow its callback(s) until delivered or dead-lettered.

    Exits 0 when every followed callback was delivered, 1 otherwise.
    """
    client = open_client(ctx)
    target = client.endpoints.get(endpoint) if endpoint else None
    event = _event(
        event_type or _event_type(target),
        target.tenant_id if target else tenant,
        channel,
        parse_json_option("--data", data),
    )
    accepted = client.events.send(event)
    ids = accepted.callback_ids
    if target is not None:
        wanted = callback_id(accepted.event_id, target.id)
        if wanted not in ids:
            why = "is disabled" if not target.enabled else f"does not take {event['type']}"
            raise fail("not_routed", f"{target.id} {why} (channel {channel})")
        ids = [wanted]
    if not as_json:
        typer.echo(f"event {accepted.event_id} accepted: {', '.join(ids) or 'no callbacks'}")
    if not follow:
        if as_json:
            print_json(accepted)
        return
    finals = [_follow(client, cid, timeout, quiet=as_json) for cid in ids]
    if as_json:
        print_json({"event": accepted, "callbacks": finals})
    undelivered = [f for f in finals if f.status != "delivered"]
    if undelivered:
        worst = undelivered[0]
        raise fail(f"callback_{worst.status}", f"{worst.id} is {worst.status}: {worst.last_error}")


def _follow(client: GouTongClient, cid: str, timeout: float, quiet: bool) -> CallbackDetail:
    """Prints each new attempt of one callback; its detail once it ends or time is up."""
    deadline = time.monotonic() + timeout
    printed = 0
    for detail in client.callbacks.follow(cid, interval=0.3):
        for attempt in detail.attempt_log[printed:]:
            if not quiet:
                typer.echo(f"{cid} {describe_attempt(attempt)}")
        printed = len(detail.attempt_log)
        if detail.status in ("delivered", "dead_lettered", "cancelled"):
            if not quiet:
                typer.echo(f"{cid} {detail.status}")
            return detail
        if time.monotonic() > deadline:
            break
    return detail
