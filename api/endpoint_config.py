"""Endpoint requests to store columns: merged with what is stored, checked, secrets sealed."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from api.auth import Principal
from api.schemas import EndpointCreate, EndpointUpdate
from api.schemas.endpoint_parts import AuthBasic, AuthBearer, AuthMtls, AuthNone
from core.endpoint_rules import check_endpoint_config, check_tls_material
from core.errors import InvalidInput
from core.secret_box import SecretBox
from store.endpoint_models import Endpoint
from store.endpoints import auth_context, first_enabled_url
from store.types import utcnow

__all__ = ["apply_template", "audit_summary", "create_columns", "update_columns"]

_NULLABLE = {"rate_limit", "max_in_flight", "batch", "health_check", "disabled_reason"}
"""PATCH fields where null means "remove"; for the others null means "leave as is"."""

Auth = AuthNone | AuthBasic | AuthBearer | AuthMtls


def _auth_columns(auth: Auth, *, endpoint_id: str, box: SecretBox) -> dict[str, Any]:
    """The public parts as ``auth``, the password, token or key sealed as ``auth_secret``."""
    if isinstance(auth, AuthMtls):
        check_tls_material(
            client_cert=auth.client_cert, client_key=auth.client_key, ca_bundle=auth.ca_bundle
        )
    elif auth.ca_bundle is not None:
        check_tls_material(client_cert=None, client_key=None, ca_bundle=auth.ca_bundle)
    public = auth.model_dump(
        exclude_none=True, include={"type", "username", "client_cert", "ca_bundle"}
    )
    secret = auth.model_dump(exclude_none=True, include={"password", "token", "client_key"})
    sealed = box.seal(json.dumps(secret), context=auth_context(endpoint_id)) if secret else None
    return {"auth": public, "auth_secret": sealed}


def _rate_limit(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    burst = value.get("burst") or max(1, int(value["per_second"]))
    return {"per_second": value["per_second"], "burst": burst}


def _disable_columns(
    enabled: bool | None, reason: str | None, *, currently_enabled: bool, caller: Principal
) -> dict[str, Any]:
    """Who disabled the endpoint, when and why; cleared when it is enabled again."""
    if enabled is True:
        if reason is not None:
            raise InvalidInput(
                "disabled_reason only goes with enabled: false", code="reason_without_disable"
            )
        return {"enabled": True, "disabled_reason": None, "disabled_by": None, "disabled_at": None}
    if enabled is False and currently_enabled:
        by = {"disabled_by": caller.key_id, "disabled_at": utcnow()}
        return {"enabled": False, "disabled_reason": reason, **by}
    if reason is not None:
        if currently_enabled:
            raise InvalidInput(
                "disabled_reason only goes with enabled: false", code="reason_without_disable"
            )
        return {"disabled_reason": reason}
    return {}


def _finish(columns: dict[str, Any], current: Endpoint | None) -> dict[str, Any]:
    """Checks the merged configuration and derives ``url`` from the targets."""

    def merged(name: str) -> Any:
        return columns[name] if name in columns else getattr(current, name)

    names = ("protocol", "targets", "auth", "headers", "payload_format", "batch", "health_check")
    config = {name: merged(name) for name in names}
    check_endpoint_config(config)
    if "targets" in columns:
        columns["url"] = first_enabled_url(columns["targets"])
    return columns


def create_columns(
    body: EndpointCreate, *, endpoint_id: str, box: SecretBox, caller: Principal
) -> dict[str, Any]:
    """The columns of a new endpoint (without its signing secret)."""
    if body.url is not None and body.targets is not None:
        raise InvalidInput("give url or targets, not both", code="url_and_targets")
    if body.url is None and body.targets is None:
        raise InvalidInput("an endpoint needs a url or targets", code="url_or_targets_required")
    columns = body.model_dump(
        mode="json",
        exclude={
            "tenant_id",
            "template_id",
            "secret",
            "url",
            "targets",
            "auth",
            "enabled",
            "disabled_reason",
        },
    )
    if body.targets is not None:
        columns["targets"] = [t.model_dump(mode="json") for t in body.targets]
    else:
        columns["targets"] = [{"url": str(body.url), "weight": 1, "enabled": True, "stream": None}]
    columns["rate_limit"] = _rate_limit(columns["rate_limit"])
    columns.update(_auth_columns(body.auth, endpoint_id=endpoint_id, box=box))
    columns.update(
        _disable_columns(body.enabled, body.disabled_reason, currently_enabled=True, caller=caller)
    )
    columns.setdefault("enabled", True)
    return _finish(columns, None)


def update_columns(
    body: EndpointUpdate, *, current: Endpoint, box: SecretBox, caller: Principal
) -> dict[str, Any]:
    """The columns a PATCH changes, checked against the endpoint as it will be."""
    given = body.model_fields_set
    full = body.model_dump(mode="json")  # nested parts whole, their defaults filled in
    changes = {name: full[name] for name in given if full[name] is not None or name in _NULLABLE}
    for name in ("auth", "enabled", "disabled_reason"):
        changes.pop(name, None)
    if "url" in changes:
        if "targets" in changes:
            raise InvalidInput("give url or targets, not both", code="url_and_targets")
        if len(current.targets) > 1:
            raise InvalidInput(
                f"this endpoint has {len(current.targets)} targets; change them through targets",
                code="url_ambiguous",
            )
        old = current.targets[0] if current.targets else {"weight": 1, "enabled": True}
        changes["targets"] = [{**old, "url": changes.pop("url"), "enabled": True}]
    if "rate_limit" in changes:
        changes["rate_limit"] = _rate_limit(changes["rate_limit"])
    if body.auth is not None:
        changes.update(_auth_columns(body.auth, endpoint_id=current.id, box=box))
    changes.update(
        _disable_columns(
            body.enabled,
            body.disabled_reason if "disabled_reason" in given else None,
            currently_enabled=current.enabled,
            caller=caller,
        )
    )
    return _finish(changes, current)


def audit_summary(values: dict[str, Any]) -> dict[str, Any]:
    """Columns (or a from/to diff of them) fit for the audit log: JSON, sealed parts as "set"."""

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: ("set" if k == "auth_secret" and v else clean(v)) for k, v in node.items()}
        return node

    cleaned = clean(values)
    if isinstance(cleaned.get("changes"), dict) and "auth_secret" in values.get("changes", {}):
        cleaned["changes"]["auth_secret"] = "changed"
    result: dict[str, Any] = json.loads(json.dumps(cleaned, default=str))
    return result


def apply_template(body: EndpointCreate, config: dict[str, Any]) -> EndpointCreate:
    """The body with the template's values for every field the body does not give."""
    given = body.model_dump(mode="json", include=body.model_fields_set)
    try:
        return EndpointCreate.model_validate({**config, **given})
    except ValidationError as exc:  # a template written under older rules
        errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
        raise InvalidInput(
            "the template's values are not valid for an endpoint",
            code="invalid_template_config",
            details=errors,
        ) from exc
