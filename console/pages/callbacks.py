"""Callbacks: the filtered list with live status, one callback's timeline, interventions."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ControlDep, SessionDep, SettingsDep
from api.routes import callbacks as api
from api.schemas import CallbackPublic, InterventionIn, Page
from console.rights import RouteClass, require
from console.web import ChangeDep, ConsoleRoute, Operator, OperatorDep, render
from core.callback_contracts import CallbackState
from core.errors import InvalidInput

__all__ = ["IN_FLIGHT", "Filters", "list_page", "router"]

router = APIRouter(route_class=ConsoleRoute)

IN_FLIGHT = (
    CallbackState.PENDING,
    CallbackState.DELIVERING,
    CallbackState.RETRYING,
    CallbackState.PAUSED,
)


class Filters:
    """The list filters from the query string (blank = any)."""

    def __init__(self, request: Request) -> None:
        query = request.query_params
        self.tenant = query.get("tenant") or None
        self.endpoint = query.get("endpoint") or None
        self.status = query.get("status") or None
        self.event_type = query.get("event_type") or None
        self.cursor = query.get("cursor") or None
        if self.status is not None and self.status not in CallbackState.ALL:
            raise InvalidInput(f"unknown status {self.status!r}", code="validation_error")

    def query(self, **changes: str | None) -> str:
        """This filter set as a query string, with ``changes`` applied (e.g. the next cursor)."""
        values = {
            "tenant": self.tenant,
            "endpoint": self.endpoint,
            "status": self.status,
            "event_type": self.event_type,
            "cursor": self.cursor,
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v})


async def list_page(
    operator: Operator, session: SessionDep, filters: Filters, limit: int
) -> Page[CallbackPublic]:
    return await api.list_callbacks(
        caller=operator.principal,
        session=session,
        tenant=filters.tenant,
        endpoint=filters.endpoint,
        status=filters.status,  # type: ignore[arg-type]  # checked in Filters
        event_type=filters.event_type,
        cursor=filters.cursor,
        limit=limit,
    )


@router.get("/callbacks")
async def callbacks(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    filters = Filters(request)
    page = await list_page(operator, session, filters, 50)
    context = {
        "page": page,
        "filters": filters,
        "states": CallbackState.ALL,
        "refresh": any(c.status in IN_FLIGHT for c in page.data),
    }
    return render(request, "callbacks.html", operator, context)


@router.get("/callbacks/{callback_id}")
async def callback(
    callback_id: str,
    request: Request,
    operator: OperatorDep,
    session: SessionDep,
    control: ControlDep,
    settings: SettingsDep,
) -> HTMLResponse:
    detail = await api.get_callback(
        callback_id=callback_id,
        caller=operator.principal,
        session=session,
        control=control,
        settings=settings,
    )
    context = {"cb": detail, "refresh": detail.status in IN_FLIGHT}
    return render(request, "callback.html", operator, context)


Intervention = Literal["retry", "pause", "resume", "cancel"]


@router.post("/callbacks/{callback_id}/{action}")
async def intervene(
    callback_id: str,
    action: Intervention,
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.INTERVENE)
    reason = str((await request.form()).get("reason") or "")[:500]
    body = InterventionIn(reason=reason)
    await api.intervene(
        callback_id=callback_id,
        action=action,
        caller=operator.principal,
        session=session,
        control=control,
        body=body,
    )
    return RedirectResponse(f"/console/callbacks/{callback_id}", 303)
