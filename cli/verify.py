"""``goutong verify``: check a received callback's Standard Webhooks signature."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import JsonOption, fail, parse_headers, print_json, usage
from core.settings import Settings
from core.signing import is_valid_secret
from core.signing import verify as signature_matches

__all__ = ["verify"]


def _body(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise typer.BadParameter(str(exc), param_hint="BODY") from None


def verify(
    body_file: Annotated[
        str, typer.Argument(metavar="BODY", help="File with the raw body; - for stdin.")
    ] = "-",
    secret: Annotated[
        str | None, typer.Option(help="The endpoint's whsec_ secret (or GOUTONG_WEBHOOK_SECRET).")
    ] = None,
    webhook_id: Annotated[str | None, typer.Option("--id", help="webhook-id header.")] = None,
    timestamp: Annotated[
        str | None, typer.Option("--timestamp", help="webhook-timestamp header.")
    ] = None,
    signature: Annotated[
        str | None, typer.Option("--signature", help="webhook-signature header.")
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", help="A received header as 'Name: value' (repeat)."),
    ] = None,
    tolerance: Annotated[
        int, typer.Option(help="Refuse timestamps further than this from now (s); 0 = any.")
    ] = 300,
    as_json: JsonOption = False,
) -> None:
    """Verify a received payload's signature; exit 0 when it is ours, 1 when not."""
    headers = {k.lower(): v for k, v in (parse_headers(header) or {}).items()}
    msg_id = webhook_id or headers.get("webhook-id")
    stamp = timestamp or headers.get("webhook-timestamp")
    signatures = signature or headers.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise usage("need webhook-id, webhook-timestamp and webhook-signature")
    key = secret or Settings().webhook_secret
    if not key or not is_valid_secret(key):
        raise usage("need --secret (or GOUTONG_WEBHOOK_SECRET): whsec_ + base64")
    if not stamp.isdigit():
        raise typer.BadParameter("must be Unix seconds", param_hint="webhook-timestamp")
    body = _body(body_file)
    problem = None
    if not signature_matches(key, msg_id, int(stamp), body, signatures):
        problem = ("invalid_signature", "no signature matches this secret and body")
    elif tolerance and abs(time.time() - int(stamp)) > tolerance:
        problem = ("timestamp_out_of_tolerance", f"timestamp is more than {tolerance} s away")
    _report(msg_id, body, problem, as_json)


def _report(msg_id: str, body: bytes, problem: tuple[str, str] | None, as_json: bool) -> None:
    result: dict[str, Any] = {"valid": problem is None, "webhook_id": msg_id}
    try:
        result["type"] = json.loads(body).get("type")
    except (ValueError, AttributeError):
        result["type"] = None
    if problem is not None:
        result["error"] = {"code": problem[0], "message": problem[1]}
    if as_json:
        print_json(result)
        if problem:
            raise typer.Exit(1)
        return
    if problem is not None:
        raise fail(*problem)
    typer.echo(f"signature ok: {msg_id} ({result['type']})")
