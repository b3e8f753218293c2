"""API keys: the keys this key may manage, a new one (its secret shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.routes import api_keys as api
from api.routes import tenants as tenants_api
from api.schemas import ApiKeyCreate
from console.forms import FormErrors, field_errors, parse
from console.ops_forms import KEY_FIELDS, key_values, typed
from console.rights import RouteClass, require
from console.secret_once import api_key_secret, show_secret
from console.web import ChangeDep, ConsoleRoute, Operator, OperatorDep, render
from core.errors import InvalidInput, NotFound
from store.types import utcnow

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)

ROLES = ("admin", "tenant_admin", "operator", "viewer", "producer")


def _roles(operator: Operator) -> tuple[str, ...]:
    """The roles this key may give (a tenant's key makes no admin keys)."""
    return ROLES if operator.principal.tenant_id is None else ROLES[1:]


async def _page(
    request: Request,
    operator: Operator,
    session: SessionDep,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> HTMLResponse:
    keys = await api.list_api_keys(caller=operator.principal, session=session)
    tenants = await tenants_api.list_tenants(
        caller=operator.principal, session=session, cursor=None, limit=500
    )
    context = {
        "keys": keys,
        "now": utcnow(),
        "tenants": tenants.data,
        "roles": _roles(operator),
        "form": form or {"role": "viewer"},
        "errors": errors or {},
    }
    return render(request, "keys.html", operator, context, 422 if errors else 200)


@router.get("/keys")
async def keys(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    require(operator.principal, RouteClass.CONFIGURE)  # GET /v1/api-keys's CanConfigure
    return await _page(request, operator, session)


@router.post("/keys")
async def create_key(request: Request, operator: ChangeDep, session: SessionDep) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    values = typed(await request.form(), KEY_FIELDS)
    body = parse(ApiKeyCreate, key_values(values))
    if isinstance(body, dict):
        return await _page(request, operator, session, values, body)
    try:
        created = await api.create_api_key(body=body, caller=operator.principal, session=session)
    except (InvalidInput, NotFound) as exc:
        return await _page(request, operator, session, values, field_errors(exc))
    return show_secret(request, operator, api_key_secret(created), 201)


@router.post("/keys/{key_id}/revoke")
async def revoke_key(key_id: str, operator: ChangeDep, session: SessionDep) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    await api.revoke_api_key(key_id=key_id, caller=operator.principal, session=session)
    return RedirectResponse("/console/keys", 303)
