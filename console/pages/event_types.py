"""The event type catalogue: every type the key sees, its versions and their JSON Schemas."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.routes import event_types as api
from console.web import ConsoleRoute, OperatorDep, render

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)


@router.get("/event-types")
async def event_types(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    tenant = request.query_params.get("tenant") or None
    listed = await api.list_event_types(
        caller=operator.principal, session=session, tenant=tenant, include_deprecated=True
    )
    context = {"types": listed.data, "tenant": tenant or ""}
    return render(request, "event_types.html", operator, context)
