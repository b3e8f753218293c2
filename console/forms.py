"""HTML form values to API request bodies, and validation errors back to the fields."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from core.errors import GoutongError

__all__ = [
    "RETRY_FIELDS",
    "FormErrors",
    "endpoint_values",
    "field_errors",
    "form_of_endpoint",
    "items_of",
    "parse",
    "text_of",
]

M = TypeVar("M", bound=BaseModel)
FormErrors = dict[str, str]
"""Form field name -> message; ``""`` holds what belongs to no one field."""

RETRY_FIELDS = (
    "strategy",
    "initial_interval_seconds",
    "backoff_coefficient",
    "max_interval_seconds",
    "interval_seconds",
    "max_attempts",
    "max_duration_seconds",
)
_FIELD_OF_CODE = {
    "target_not_allowed": "url",
    "url_ambiguous": "url",
    "tenant_required": "tenant_id",
    "tenant_not_found": "tenant_id",
    "template_not_found": "template_id",
    "invalid_template_config": "template_id",
    "invalid_key_scope": "tenant_id",
    "invalid_expiry": "expires_at",
    "unknown_endpoint": "endpoint_id",
    "invalid_alert_rule": "threshold",
}


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def items_of(text: str) -> list[str]:
    """Comma- or line-separated values, blanks dropped."""
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def _headers(text: str) -> dict[str, str] | str:
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            return text  # not "Name: value" lines; the schema's type check reports it
        headers[name.strip()] = value.strip()
    return headers


def endpoint_values(form: FormData, *, creating: bool) -> dict[str, Any]:
    """The body of POST/PATCH /v1/endpoints from the endpoint form (checkbox = enabled)."""
    values: dict[str, Any] = {
        "name": text_of(form, "name"),
        "url": text_of(form, "url"),
        "event_types": items_of(text_of(form, "event_types")),
        "channels": items_of(text_of(form, "channels")),
        "headers": _headers(text_of(form, "headers")),
        "timeout_seconds": text_of(form, "timeout_seconds") or 15,
        "retry": {name: text_of(form, f"retry.{name}") for name in RETRY_FIELDS},
    }
    values["retry"] = {name: value for name, value in values["retry"].items() if value != ""}
    if creating:  # enabling and disabling have their own button on the endpoint's page
        values["enabled"] = form.get("enabled") == "on"
        for name in ("tenant_id", "template_id"):
            if text_of(form, name):
                values[name] = text_of(form, name)
    return values


def form_of_endpoint(values: dict[str, Any]) -> dict[str, Any]:
    """Form field values from an endpoint (or from what the operator typed)."""
    headers = values.get("headers") or {}
    return {
        **values,
        "event_types": ", ".join(values.get("event_types") or []),
        "channels": ", ".join(values.get("channels") or []),
        "headers": headers
        if isinstance(headers, str)
        else "\n".join(f"{k}: {v}" for k, v in headers.items()),
        **{f"retry.{k}": v for k, v in (values.get("retry") or {}).items()},
    }


def _field_of(loc: tuple[Any, ...]) -> str:
    if not loc:
        return ""
    if loc[0] == "retry" and len(loc) > 1:
        return f"retry.{loc[1]}"
    return str(loc[0])


def field_errors(
    exc: ValidationError | GoutongError, fields: dict[str, str] | None = None
) -> FormErrors:
    """One message per form field (the first), from the schema or from the API's own checks;
    ``fields`` (error code -> form field) overrides where an API refusal is shown."""
    if isinstance(exc, GoutongError):
        where = (fields or {}).get(exc.code) or _FIELD_OF_CODE.get(exc.code, "")
        return {where: exc.message}
    errors: FormErrors = {}
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if len(loc) > 1 and isinstance(loc[-1], int):  # one item of a list: say which
            message = f"{error.get('input')!r}: {message}"
        errors.setdefault(_field_of(loc), message)
    return errors


def parse(model: type[M], values: dict[str, Any]) -> M | FormErrors:
    """The API's request model from the form values, or the errors per field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        return field_errors(exc)
