"""Alerts: what fires now, what resolved lately, and the alert rules (create, delete)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SecretBoxDep, SessionDep, TargetGuardDep
from api.routes import alert_rules as rules_api
from api.routes import alerts as api
from api.routes import endpoints as endpoints_api
from api.routes import tenants as tenants_api
from api.schemas.alerts import AlertPublic, AlertRuleCreate
from console.forms import FormErrors, field_errors, parse
from console.ops_forms import RULE_FIELDS, placed_rule_errors, rule_values, typed
from console.rights import RouteClass, require
from console.secret_once import rule_secret, show_secret
from console.web import ChangeDep, ConsoleRoute, Operator, OperatorDep, render
from core.alerts import RULE_KINDS
from core.errors import InvalidInput, NotFound

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)

RESOLVED_SHOWN = 20
_RULE_FIELD_OF_CODE = {"target_not_allowed": "webhook_url", "url_ambiguous": "webhook_url"}


async def _page(
    request: Request,
    operator: Operator,
    session: SessionDep,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> HTMLResponse:
    tenant = (request.query_params.get("tenant") or "")[:200] or None
    caller = operator.principal

    async def alerts(state: str, limit: int) -> list[AlertPublic]:
        page = await api.list_alerts(
            caller=caller,
            session=session,
            tenant=tenant,
            state=state,  # type: ignore[arg-type]  # "firing" or "resolved"
            rule=None,
            endpoint=None,
            kind=None,
            since=None,
            until=None,
            cursor=None,
            limit=limit,
        )
        return page.data

    rules = await rules_api.list_alert_rules(
        caller=caller,
        session=session,
        tenant=tenant,
        cursor=request.query_params.get("rules_cursor") or None,
        limit=100,
    )
    context: dict[str, object] = {
        "tenant": tenant or "",
        "firing": await alerts("firing", 500),
        "resolved": await alerts("resolved", RESOLVED_SHOWN),
        "rules": rules,
        "kinds": RULE_KINDS,
        "form": form or {"kind": RULE_KINDS[0], "enabled": "on", "min_callbacks": "10"},
        "errors": errors or {},
    }
    if operator.may("configure"):
        listed = await tenants_api.list_tenants(
            caller=caller, session=session, cursor=None, limit=500
        )
        endpoints = await endpoints_api.list_endpoints(
            caller=caller, session=session, tenant=tenant, cursor=None, limit=500
        )
        context |= {"tenants": listed.data, "endpoints": endpoints.data}
    return render(request, "alerts.html", operator, context, 422 if errors else 200)


@router.get("/alerts")
async def alerts(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    return await _page(request, operator, session)


@router.post("/alerts/rules")
async def create_rule(
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)  # POST /v1/alert-rules's CanConfigure
    form = await request.form()
    values = typed(form, RULE_FIELDS)
    values["enabled"] = "on" if form.get("enabled") == "on" else ""
    body = parse(AlertRuleCreate, rule_values(values, enabled=bool(values["enabled"])))
    if isinstance(body, dict):
        return await _page(request, operator, session, values, placed_rule_errors(body))
    try:
        created = await rules_api.create_alert_rule(
            body=body, caller=operator.principal, session=session, box=box, guard=guard
        )
    except (InvalidInput, NotFound) as exc:
        errors = field_errors(exc, _RULE_FIELD_OF_CODE)
        return await _page(request, operator, session, values, errors)
    if created.secret:
        return show_secret(request, operator, rule_secret(created, created.secret), 201)
    return RedirectResponse("/console/alerts", 303)


@router.post("/alerts/rules/{rule_id}/delete")
async def delete_rule(rule_id: str, operator: ChangeDep, session: SessionDep) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    await rules_api.delete_alert_rule(rule_id=rule_id, caller=operator.principal, session=session)
    return RedirectResponse("/console/alerts", 303)
