"""``goutong callbacks ...``: find callbacks, read their attempt log, and steer them."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Annotated, Literal

import typer

from api.schemas import AttemptPublic, CallbackDetail
from cli.context import (
    JsonOption,
    api_command,
    console,
    open_client,
    print_json,
    print_record,
    print_table,
)

__all__ = ["callbacks", "describe_attempt"]

callbacks = typer.Typer(help="Callbacks: status, attempt log, manual intervention.")

COLUMNS = (
    "id",
    "status",
    "attempts",
    "event_type",
    "endpoint_id",
    "last_status_code",
    "created_at",
)
ATTEMPT_COLUMNS = (
    "attempt",
    "trigger",
    "status_code",
    "duration_ms",
    "error",
    "response_excerpt",
    "target_url",
)
Status = Literal[
    "pending", "delivering", "retrying", "paused", "delivered", "dead_lettered", "cancelled"
]


@callbacks.command("list")
@api_command
def callbacks_list(
    ctx: typer.Context,
    tenant: str | None = None,
    endpoint: str | None = None,
    status: Annotated[Status | None, typer.Option(help="Only callbacks in this state.")] = None,
    event_type: str | None = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first (0 = all).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Callbacks, newest first."""
    found = open_client(ctx).callbacks.iter(
        tenant=tenant, endpoint=endpoint, status=status, event_type=event_type
    )
    rows = list(islice(found, limit) if limit > 0 else found)
    print_json(rows) if as_json else print_table(rows, COLUMNS)


def describe_attempt(attempt: AttemptPublic) -> str:
    """One attempt on one line: ``#2 scheduled -> 503 in 12 ms (error) url``."""
    outcome = str(attempt.status_code) if attempt.status_code is not None else "no answer"
    error = f" ({attempt.error})" if attempt.error else ""
    return (
        f"#{attempt.attempt} {attempt.trigger} -> {outcome} in {attempt.duration_ms} ms"
        f"{error}  {attempt.target_url}"
    )


def _print_detail(detail: CallbackDetail) -> None:
    print_record(detail, skip=("attempt_log", "live"))
    if detail.live is not None:
        typer.echo(f"live: {detail.live.state}, next attempt at {detail.live.next_attempt_at}")
    if detail.attempt_log:
        print_table(detail.attempt_log, ATTEMPT_COLUMNS, title="attempts")
    else:
        typer.echo("no attempts yet")


@callbacks.command("show")
@api_command
def callbacks_show(ctx: typer.Context, callback_id: str, as_json: JsonOption = False) -> None:
    """Status, the attempt log, the workflow's live state and its Web UI link."""
    detail = open_client(ctx).callbacks.get(callback_id)
    print_json(detail) if as_json else _print_detail(detail)


Reason = Annotated[str, typer.Option(help="Recorded with the action.")]
ACTIONS = {
    "retry": "Try now, skipping the wait (out of dead letter: one manual attempt).",
    "pause": "Stop attempts until resumed.",
    "resume": "Continue a paused callback.",
    "cancel": "Give up on it (the store records it as cancelled).",
}


def _action_command(action: str, doc: str) -> Callable[..., None]:
    """The command for one intervention (they differ only in the action's name)."""

    @api_command
    def command(
        ctx: typer.Context, callback_id: str, reason: Reason = "", as_json: JsonOption = False
    ) -> None:
        accepted = getattr(open_client(ctx).callbacks, action)(callback_id, reason)
        if as_json:
            print_json(accepted)
        else:
            console().print(f"{action}: accepted for {callback_id}", markup=False)

    command.__doc__ = doc
    return command


for _action, _doc in ACTIONS.items():
    callbacks.command(_action)(_action_command(_action, _doc))


@callbacks.command("redirect")
@api_command
def callbacks_redirect(
    ctx: typer.Context,
    callback_id: str,
    url: str,
    reason: Reason = "",
    as_json: JsonOption = False,
) -> None:
    """Send it once to URL instead (e.g. a stand-in receiver); the endpoint stays as it is."""
    accepted = open_client(ctx).callbacks.redirect(callback_id, url, reason)
    if as_json:
        print_json(accepted)
    else:
        console().print(f"redirect: accepted for {callback_id} -> {url}", markup=False)
