"""Event type schemas: checking a JSON Schema (draft 2020-12), compiling it, and the first place
an event's data fails it.

Schemas come from tenants, so they are compiled offline (a ``$ref`` never fetches anything)
and with the linear-time regex engine (a ``pattern`` cannot stall the API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from core.errors import InvalidInput

__all__ = [
    "DRAFT_2020_12",
    "NAME_PATTERN",
    "DataProblem",
    "Validator",
    "check_schema",
    "compile_schema",
    "first_problem",
    "json_pointer",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$"
"""Lower-case dotted names like ``order.paid``; ``*`` stays free for endpoint filters."""
MAX_SCHEMA_BYTES = 64 * 1024

Validator = jsonschema_rs.Draft202012Validator


@dataclass(frozen=True)
class DataProblem:
    """Where an event's data first fails its schema and why."""

    path: tuple[str | int, ...]
    message: str

    @property
    def pointer(self) -> str:
        return json_pointer(self.path)


def json_pointer(path: tuple[str | int, ...] | list[str | int]) -> str:
    """RFC 6901: ``["a", 0, "b/c"]`` -> ``/a/0/b~1c``; the empty path is the whole document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _refuse(message: str, pointer: str = "") -> InvalidInput:
    return InvalidInput(
        f"not a usable JSON Schema (draft 2020-12): {message}",
        code="event_schema_invalid",
        details=[{"loc": ["body", "schema"], "pointer": pointer, "msg": message}],
    )


def compile_schema(schema: dict[str, Any]) -> Validator:
    """A validator for a schema already checked by ``check_schema`` (or a built-in one)."""
    return jsonschema_rs.Draft202012Validator(
        schema,
        validate_formats=True,
        offline=True,
        pattern_options=jsonschema_rs.RegexOptions(),
    )


def check_schema(schema: Any) -> Validator:
    """Refuses (``event_schema_invalid``) what is not an object schema of draft 2020-12 that
    compiles on its own; returns the compiled validator."""
    if not isinstance(schema, dict):
        raise _refuse("the schema must be a JSON object")
    declared = schema.get("$schema", DRAFT_2020_12)
    if declared not in (DRAFT_2020_12, DRAFT_2020_12 + "#"):
        raise _refuse(f"$schema must be {DRAFT_2020_12} (or absent)", "/$schema")
    if len(repr(schema)) > MAX_SCHEMA_BYTES:
        raise _refuse(f"the schema is over {MAX_SCHEMA_BYTES} bytes")
    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as exc:
        raise _refuse(exc.message, json_pointer(list(exc.instance_path))) from None
    except Exception as exc:  # the library's own refusal of odd input (huge numbers, ...)
        raise _refuse(_first_line(exc)) from None
    try:
        return compile_schema(schema)
    except jsonschema_rs.ValidationError as exc:  # unresolvable $ref, bad regex, ...
        raise _refuse(_first_line(exc)) from None
    except Exception as exc:
        raise _refuse(_first_line(exc)) from None


def first_problem(validator: Validator, data: Any) -> DataProblem | None:
    """None when ``data`` conforms; else the first failure the validator reports."""
    try:
        if validator.is_valid(data):
            return None
        first = next(iter(validator.iter_errors(data)))
    except Exception as exc:  # values the validator cannot represent (e.g. integers > 2**64)
        return DataProblem((), _first_line(exc))
    return DataProblem(tuple(first.instance_path), first.message)
