"""Linkage rules: the follow-ons a tenant's callbacks start on their triggers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import TypeAdapter

from api.access import CanConfigure, CanRead
from api.auth import Principal
from api.deps import SecretBoxDep, SessionDep, TargetGuardDep
from api.rule_secrets import give_rule_secret
from api.schemas import Page
from api.schemas.linkage import (
    Action,
    LinkageRuleCreate,
    LinkageRuleCreated,
    LinkageRulePublic,
    LinkageRuleUpdate,
    WebhookAction,
    check_triggers,
)
from core.errors import InvalidInput
from core.secret_box import SecretBox
from store import linkage as store
from store.audit import changes_of, record_audit
from store.linkage_models import LinkageRule
from store.tenants import get_tenant

router = APIRouter(prefix="/v1/linkage-rules", tags=["linkage"])

Limit = Annotated[int, Query(ge=1, le=500)]


def _action_json(action: Any) -> dict[str, Any]:
    return dict(TypeAdapter(Action).dump_python(action, mode="json"))


def _created(rule: LinkageRule, secret: str | None) -> LinkageRuleCreated:
    public = LinkageRulePublic.model_validate(rule).model_dump()
    return LinkageRuleCreated(**public, secret=secret)


def _give_secret(rule: LinkageRule, box: SecretBox) -> str | None:
    """A webhook rule gets its own signing secret once; other kinds have none."""
    return give_rule_secret(rule, box, wanted=rule.action.get("kind") == "webhook")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LinkageRuleCreated)
async def create_rule(
    body: LinkageRuleCreate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
) -> LinkageRuleCreated:
    tenant_id = caller.resolve_tenant(body.tenant_id)
    if isinstance(body.action, WebhookAction):
        await guard.check_url(str(body.action.url))
    await get_tenant(session, tenant_id=tenant_id)
    rule = await store.create_rule(
        session,
        tenant_id=tenant_id,
        name=body.name,
        enabled=body.enabled,
        triggers=list(body.triggers),
        filter=body.filter.model_dump(mode="json"),
        action=_action_json(body.action),
    )
    secret = _give_secret(rule, box)
    if secret:
        rule = await store.update_rule(session, rule_id=rule.id, changes={"secret": rule.secret})
    await record_audit(
        session,
        actor=caller,
        action="linkage_rule.create",
        resource=rule.id,
        tenant_id=tenant_id,
        summary={"name": rule.name, "triggers": rule.triggers, "action": rule.action},
    )
    return _created(rule, secret)


@router.get("", response_model=Page[LinkageRulePublic])
async def list_rules(
    caller: CanRead,
    session: SessionDep,
    tenant: str | None = None,
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[LinkageRulePublic]:
    page = await store.list_rules(
        session, tenant_id=caller.list_scope(tenant), cursor=cursor, limit=limit
    )
    return Page(
        data=[LinkageRulePublic.model_validate(r) for r in page.items],
        next_cursor=page.next_cursor,
    )


async def _owned(session: SessionDep, caller: Principal, rule_id: str) -> LinkageRule:
    rule = await store.get_rule(session, rule_id=rule_id)
    caller.check_tenant(rule.tenant_id)
    return rule


@router.get("/{rule_id}", response_model=LinkageRulePublic)
async def get_rule(rule_id: str, caller: CanRead, session: SessionDep) -> LinkageRulePublic:
    return LinkageRulePublic.model_validate(await _owned(session, caller, rule_id))


@router.patch("/{rule_id}", response_model=LinkageRuleCreated)
async def update_rule(
    rule_id: str,
    body: LinkageRuleUpdate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
) -> LinkageRuleCreated:
    """Changes a rule; callbacks accepted before the change keep the rules they started with."""
    rule = await _owned(session, caller, rule_id)
    if isinstance(body.action, WebhookAction):
        await guard.check_url(str(body.action.url))
    changes: dict[str, Any] = body.model_dump(
        exclude_unset=True, exclude_none=True, exclude={"filter", "action"}
    )
    if body.filter is not None:
        changes["filter"] = body.filter.model_dump(mode="json")
    if body.action is not None:
        changes["action"] = _action_json(body.action)
    kind = str(changes.get("action", rule.action).get("kind"))
    try:
        check_triggers(kind, list(changes.get("triggers", rule.triggers)))
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_triggers") from None
    summary = changes_of(rule, changes)
    for key, value in changes.items():
        setattr(rule, key, value)
    secret = _give_secret(rule, box)
    changes["secret"] = rule.secret
    rule = await store.update_rule(session, rule_id=rule_id, changes=changes)
    await record_audit(
        session,
        actor=caller,
        action="linkage_rule.update",
        resource=rule_id,
        tenant_id=rule.tenant_id,
        summary={**summary, "secret": "generated" if secret else "unchanged"},
    )
    return _created(rule, secret)


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule_id: str, caller: CanConfigure, session: SessionDep) -> None:
    rule = await _owned(session, caller, rule_id)
    await store.delete_rule(session, rule_id=rule_id)
    await record_audit(
        session,
        actor=caller,
        action="linkage_rule.delete",
        resource=rule_id,
        tenant_id=rule.tenant_id,
        summary={"name": rule.name},
    )
