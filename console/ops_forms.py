"""The API key and alert rule forms: HTML form values to the API's request bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData

from console.forms import FormErrors, items_of, text_of

__all__ = [
    "KEY_FIELDS",
    "RULE_FIELDS",
    "key_values",
    "placed_rule_errors",
    "rule_values",
    "typed",
]

KEY_FIELDS = (
    "name",
    "role",
    "tenant_id",
    "allowed_cidrs",
    "expires_at",
    "rate_limit_per_second",
    "rate_limit_burst",
)
RULE_FIELDS = (
    "tenant_id",
    "endpoint_id",
    "name",
    "kind",
    "threshold",
    "window_seconds",
    "min_callbacks",
    "webhook_url",
)


def typed(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """What the operator typed, to show again with the errors."""
    return {name: text_of(form, name) for name in names}


def _utc(text: str) -> str:
    """A ``datetime-local`` value has no zone: the form asks for UTC. Anything unparsable goes
    to the schema as typed, which reports it."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def _given(values: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: values[name] for name in names if values.get(name)}


def key_values(values: dict[str, str]) -> dict[str, Any]:
    """The body of POST /v1/api-keys (blank fields left out: the API's defaults apply)."""
    body: dict[str, Any] = {
        "name": values["name"],
        "allowed_cidrs": items_of(values["allowed_cidrs"]),
        **_given(values, ("role", "tenant_id", "rate_limit_per_second", "rate_limit_burst")),
    }
    if values["expires_at"]:
        body["expires_at"] = _utc(values["expires_at"])
    return body


def rule_values(values: dict[str, str], enabled: bool) -> dict[str, Any]:
    """The body of POST /v1/alert-rules (a blank threshold is reported as missing)."""
    optional = (
        "tenant_id",
        "endpoint_id",
        "threshold",
        "window_seconds",
        "min_callbacks",
        "webhook_url",
    )
    return {"name": values["name"], "kind": values["kind"], "enabled": enabled} | _given(
        values, optional
    )


def placed_rule_errors(errors: FormErrors) -> FormErrors:
    """The kind-dependent checks (``check_rule``) are about the whole body; show each next to
    the field it names."""
    general = errors.pop("", None)
    if general is not None:
        where = "window_seconds" if "window_seconds" in general else "threshold"
        errors.setdefault(where, general)
    return errors
