"""An endpoint's revisions: every change with its diff, and rollback to any of them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ControlDep, SessionDep, TargetGuardDep
from api.routes import endpoint_revisions as api
from api.routes import endpoints as endpoints_api
from console.rights import RouteClass, require
from console.web import ChangeDep, ConsoleRoute, OperatorDep, render
from core.errors import InvalidInput

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)


@router.get("/endpoints/{endpoint_id}/revisions")
async def revisions(
    endpoint_id: str, request: Request, operator: OperatorDep, session: SessionDep
) -> HTMLResponse:
    cursor = request.query_params.get("cursor")
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput("cursor must be a revision number", code="validation_error")
    endpoint = await endpoints_api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )
    page = await api.list_endpoint_revisions(
        endpoint_id=endpoint_id,
        caller=operator.principal,
        session=session,
        cursor=int(cursor) if cursor else None,
        limit=50,
    )
    context = {"endpoint": endpoint, "page": page}
    return render(request, "revisions.html", operator, context)


@router.post("/endpoints/{endpoint_id}/revisions/{number}/rollback")
async def rollback(
    endpoint_id: str,
    number: int,
    operator: ChangeDep,
    session: SessionDep,
    guard: TargetGuardDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    if not 1 <= number < 2**31:
        raise InvalidInput("no such revision number", code="validation_error")
    await api.rollback_endpoint(
        endpoint_id=endpoint_id,
        number=number,
        caller=operator.principal,
        session=session,
        guard=guard,
        control=control,
    )
    return RedirectResponse(f"/console/endpoints/{endpoint_id}/revisions", 303)
