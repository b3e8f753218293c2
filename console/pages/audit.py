"""The audit log: who changed which configuration or intervened, when, from where."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes import audit as api
from console.rights import RouteClass, require
from console.web import ConsoleRoute, OperatorDep, render

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)

FILTERS = ("tenant", "actor", "action", "resource")


@router.get("/audit")
async def audit(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    require(operator.principal, RouteClass.AUDIT)  # GET /v1/audit's CanAudit
    filters = {name: (request.query_params.get(name) or "")[:200] for name in FILTERS}
    page = await api.audit_log(
        caller=operator.principal,
        session=session,
        tenant=filters["tenant"] or None,
        actor=filters["actor"] or None,
        action=filters["action"][:64] or None,
        resource=filters["resource"] or None,
        since=None,
        until=None,
        cursor=request.query_params.get("cursor") or None,
        limit=50,
    )
    older = {**{k: v for k, v in filters.items() if v}, "cursor": page.next_cursor}
    context = {"page": page, "filters": filters, "older": urlencode(older)}
    return render(request, "audit.html", operator, context)
