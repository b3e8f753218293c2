"""Tenants: the list, and a new one (global admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.routes import tenants as api
from api.schemas import TenantCreate
from console.forms import parse
from console.rights import RouteClass, require
from console.web import ChangeDep, ConsoleRoute, OperatorDep, render

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)


async def _page(
    request: Request,
    operator: OperatorDep,
    session: SessionDep,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    cursor = request.query_params.get("cursor")
    page = await api.list_tenants(
        caller=operator.principal, session=session, cursor=cursor, limit=50
    )
    context = {"page": page, "form": form or {}, "errors": errors or {}}
    return render(request, "tenants.html", operator, context, 422 if errors else 200)


@router.get("/tenants")
async def tenants(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    return await _page(request, operator, session)


@router.post("/tenants")
async def create_tenant(request: Request, operator: ChangeDep, session: SessionDep) -> Response:
    require(operator.principal, RouteClass.ADMINISTER)
    form = await request.form()
    values = {key: str(form.get(key) or "").strip() for key in ("name", "description")}
    body = parse(TenantCreate, values)
    if isinstance(body, dict):
        return await _page(request, operator, session, values, body)
    await api.create_tenant(body=body, caller=operator.principal, session=session)
    return RedirectResponse("/console/tenants", 303)
