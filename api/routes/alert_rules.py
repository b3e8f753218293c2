"""Alert rules: conditions on a tenant's endpoints that raise alerts (evaluated by the
AlertsWorkflow; see docs/operations.md#alerts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from api.access import CanConfigure, CanRead
from api.auth import Principal
from api.deps import SecretBoxDep, SessionDep, TargetGuardDep
from api.rule_secrets import give_rule_secret
from api.schemas import Page
from api.schemas.alerts import (
    AlertRuleCreate,
    AlertRuleCreated,
    AlertRulePublic,
    AlertRuleUpdate,
    check_rule,
)
from core.errors import InvalidInput
from core.secret_box import SecretBox
from store import alert_rules as store
from store.alert_models import AlertRule
from store.audit import changes_of, record_audit
from store.endpoint_models import Endpoint
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/alert-rules", tags=["alerts"])

Limit = Annotated[int, Query(ge=1, le=500)]


def _created(rule: AlertRule, secret: str | None) -> AlertRuleCreated:
    return AlertRuleCreated(**AlertRulePublic.model_validate(rule).model_dump(), secret=secret)


async def _check_endpoint(session: SessionDep, tenant_id: str, endpoint_id: str | None) -> None:
    if endpoint_id is None:
        return
    endpoint = await session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.tenant_id != tenant_id:
        raise InvalidInput(
            f"endpoint {endpoint_id} is no endpoint of tenant {tenant_id}",
            code="unknown_endpoint",
            details={"endpoint_id": endpoint_id},
        )


def _give_secret(rule: AlertRule, box: SecretBox) -> str | None:
    """A rule with its own webhook URL gets its own signing secret, once."""
    return give_rule_secret(rule, box, wanted=bool(rule.webhook_url))


def _summary(rule: AlertRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "endpoint_id": rule.endpoint_id,
        "threshold": rule.threshold,
        "window_seconds": rule.window_seconds,
        "webhook_url": rule.webhook_url,
    }


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AlertRuleCreated)
async def create_alert_rule(
    body: AlertRuleCreate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
) -> AlertRuleCreated:
    tenant_id = caller.resolve_tenant(body.tenant_id)
    await get_tenant(session, tenant_id=tenant_id)
    await _check_endpoint(session, tenant_id, body.endpoint_id)
    url = str(body.webhook_url) if body.webhook_url else None
    if url:
        await guard.check_url(url)
    fields = body.model_dump(exclude={"tenant_id", "webhook_url"})
    rule = await store.create_alert_rule(session, tenant_id=tenant_id, webhook_url=url, **fields)
    secret = _give_secret(rule, box)
    if secret:
        rule = await store.update_alert_rule(
            session, rule_id=rule.id, changes={"secret": rule.secret}
        )
    await record_audit(
        session,
        actor=caller,
        action="alert_rule.create",
        resource=rule.id,
        tenant_id=tenant_id,
        summary=_summary(rule),
    )
    return _created(rule, secret)


@router.get("", response_model=Page[AlertRulePublic])
async def list_alert_rules(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[AlertRulePublic]:
    page = await store.list_alert_rules(
        session, tenant_id=caller.list_scope(tenant), cursor=cursor, limit=limit
    )
    return Page(
        data=[AlertRulePublic.model_validate(r) for r in page.items], next_cursor=page.next_cursor
    )


async def _owned(session: SessionDep, caller: Principal, rule_id: str) -> AlertRule:
    rule = await store.get_alert_rule(session, rule_id=rule_id)
    caller.check_tenant(rule.tenant_id)
    return rule


@router.get("/{rule_id}", response_model=AlertRulePublic)
async def get_alert_rule(rule_id: str, caller: CanRead, session: SessionDep) -> AlertRulePublic:
    return AlertRulePublic.model_validate(await _owned(session, caller, rule_id))


@router.patch("/{rule_id}", response_model=AlertRuleCreated)
async def update_alert_rule(
    rule_id: str,
    body: AlertRuleUpdate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
) -> AlertRuleCreated:
    """Changes a rule (not its kind); an explicit ``"webhook_url": null`` removes the URL."""
    rule = await _owned(session, caller, rule_id)
    changes: dict[str, Any] = body.model_dump(exclude_unset=True, exclude={"webhook_url"})
    changes = {k: v for k, v in changes.items() if v is not None or k == "endpoint_id"}
    if "webhook_url" in body.model_fields_set:
        changes["webhook_url"] = str(body.webhook_url) if body.webhook_url else None
        if changes["webhook_url"]:
            await guard.check_url(changes["webhook_url"])
    await _check_endpoint(session, rule.tenant_id, changes.get("endpoint_id"))
    try:
        check_rule(
            rule.kind,
            changes.get("threshold", rule.threshold),
            changes.get("window_seconds", rule.window_seconds),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_alert_rule") from None
    summary = changes_of(rule, changes)
    for key, value in changes.items():
        setattr(rule, key, value)
    secret = _give_secret(rule, box)
    changes["secret"] = rule.secret
    rule = await store.update_alert_rule(session, rule_id=rule_id, changes=changes)
    await record_audit(
        session,
        actor=caller,
        action="alert_rule.update",
        resource=rule_id,
        tenant_id=rule.tenant_id,
        summary={**summary, "secret": "generated" if secret else "unchanged"},
    )
    return _created(rule, secret)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_alert_rule(rule_id: str, caller: CanConfigure, session: SessionDep) -> None:
    """Deletes the rule; the evaluator resolves its firing alerts on its next pass."""
    rule = await _owned(session, caller, rule_id)
    await store.delete_alert_rule(session, rule_id=rule_id)
    await record_audit(
        session,
        actor=caller,
        action="alert_rule.delete",
        resource=rule_id,
        tenant_id=rule.tenant_id,
        summary={"name": rule.name},
    )
