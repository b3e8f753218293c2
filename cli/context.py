"""What every API command shares: where the API is, the client, ``--json``, errors, exit codes.

Exit codes: 0 ok, 1 the API refused or could not be reached (code and message printed),
2 usage (bad options or values).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from client import ApiError, GouTongClient
from core.settings import Settings

__all__ = [
    "JsonOption",
    "Remote",
    "WhenOption",
    "api_command",
    "console",
    "fail",
    "open_client",
    "parse_headers",
    "parse_json_option",
    "parse_time",
    "print_json",
    "print_record",
    "print_table",
    "usage",
]

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
WhenOption = Annotated[
    str | None, typer.Option(help="ISO 8601 (UTC when no zone) or 30m/2h/7d ago.")
]


@dataclass
class Remote:
    """The root options: which API, with which key (None = from settings)."""

    api_url: str | None = None
    api_key: str | None = None


def open_client(ctx: typer.Context) -> GouTongClient:
    """A client for ``--api-url``/``GOUTONG_API_URL`` with ``--api-key``/``GOUTONG_API_KEY``,
    falling back to the public API URL and ``data/admin.key``."""
    remote: Remote = ctx.find_root().obj or Remote()
    settings = Settings()
    url = remote.api_url or settings.api_url or settings.public_api_url
    key = remote.api_key or settings.api_key
    if not key and settings.admin_key_file.is_file():
        key = settings.admin_key_file.read_text().strip()
    client = GouTongClient(url, key)
    ctx.call_on_close(client.close)
    return client


def console(err: bool = False) -> Console:
    """A console on the current stdout/stderr; wide when not a terminal, so ids never wrap."""
    stream = sys.stderr if err else sys.stdout
    return Console(file=stream, width=None if stream.isatty() else 240, highlight=False)


def fail(code: str, message: str) -> typer.Exit:
    """Prints ``error: code: message`` to stderr; raise the answer to exit with 1."""
    console(err=True).print(f"error: {code}: {message}", markup=False)
    return typer.Exit(1)


def usage(message: str) -> typer.Exit:
    """Prints ``usage error: message`` to stderr; raise the answer to exit with 2."""
    console(err=True).print(f"usage error: {message}", markup=False)
    return typer.Exit(2)


def parse_headers(values: list[str] | None) -> dict[str, str] | None:
    """``Name: value`` options as a dict (None when the option was not given)."""
    if values is None:
        return None
    headers = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep:
            raise typer.BadParameter(f"{value!r}: use 'Name: value'", param_hint="--header")
        headers[name.strip()] = content.strip()
    return headers


def api_command(func: Callable[P, R]) -> Callable[P, R]:
    """Maps ``ApiError`` to exit 1 and client-side validation errors to usage (exit 2)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ApiError as exc:
            raise fail(exc.code, exc.message) from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise usage(f"{where}: {first['msg']}" if where else first["msg"]) from exc

    return wrapper


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(_plain(value), indent=2, ensure_ascii=False))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else "-"
    text = " ".join(str(value).split())  # one line per cell
    return text if len(text) <= 120 else text[:119] + "…"


def print_table(rows: Iterable[BaseModel], columns: Sequence[str], title: str = "") -> None:
    table = Table(*columns, title=title or None, title_justify="left")
    for row in rows:
        table.add_row(*(_cell(getattr(row, c, None)) for c in columns))
    console().print(table)


def print_record(record: BaseModel | dict[str, Any], skip: Sequence[str] = ()) -> None:
    """One resource as ``field  value`` lines."""
    values = record if isinstance(record, dict) else dict(record)
    table = Table.grid(padding=(0, 2))
    for name, value in values.items():
        if name not in skip:
            table.add_row(name, _cell(value))
    console().print(table)


_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 (a time without a zone is UTC) or a span back from now: ``90m``, ``2h``, ``7d``."""
    if value is None:
        return None
    relative = _RELATIVE.match(value)
    if relative:
        span = timedelta(**{_UNITS[relative[2]]: int(relative[1])})
        return datetime.now(UTC) - span
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: use ISO 8601 or 30m/2h/7d") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_json_option(name: str, value: str | None) -> Any:
    """A JSON option value; ``@path`` reads it from a file."""
    if value is None:
        return None
    try:
        text = open(value[1:]).read() if value.startswith("@") else value
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"{name}: {exc}") from None
