"""The dead-letter desk: select many dead letters, then retry or cancel them all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import ControlDep, SessionDep
from api.routes import callbacks as api
from api.schemas import InterventionIn
from console.pages.callbacks import Filters, list_page
from console.rights import RouteClass, require
from console.web import ChangeDep, ConsoleRoute, Operator, OperatorDep, render
from core.callback_contracts import CallbackState
from core.errors import GoutongError, InvalidInput

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)

MAX_SELECTED = 200


@dataclass
class Outcome:
    callback_id: str
    ok: bool
    message: str


async def _desk(
    request: Request,
    operator: Operator,
    session: SessionDep,
    outcomes: list[Outcome] | None = None,
    action: str = "",
) -> HTMLResponse:
    filters = Filters(request)
    filters.status = CallbackState.DEAD_LETTERED
    page = await list_page(operator, session, filters, 100)
    context = {"page": page, "filters": filters, "outcomes": outcomes, "action": action}
    return render(request, "dead_letters.html", operator, context)


@router.get("/dead-letters")
async def dead_letters(
    request: Request, operator: OperatorDep, session: SessionDep
) -> HTMLResponse:
    return await _desk(request, operator, session)


@router.post("/dead-letters")
async def act_on_dead_letters(
    request: Request, operator: ChangeDep, session: SessionDep, control: ControlDep
) -> HTMLResponse:
    """Retries or cancels each selected callback through the API's own intervention route."""
    require(operator.principal, RouteClass.INTERVENE)
    form = await request.form()
    action = form.get("action")
    if action not in ("retry", "cancel"):
        raise InvalidInput("choose retry or cancel", code="validation_error")
    chosen: Literal["retry", "cancel"] = "retry" if action == "retry" else "cancel"
    ids = [str(value) for value in form.getlist("ids")][:MAX_SELECTED]
    if not ids:
        raise InvalidInput("select at least one dead letter", code="nothing_selected")
    body = InterventionIn(reason=f"{chosen} from the console's dead-letter desk")
    outcomes = []
    for callback_id in dict.fromkeys(ids):
        try:
            await api.intervene(
                callback_id=callback_id,
                action=chosen,
                caller=operator.principal,
                session=session,
                control=control,
                body=body,
            )
            outcomes.append(Outcome(callback_id, True, f"{chosen} accepted"))
        except GoutongError as exc:
            await session.rollback()
            outcomes.append(Outcome(callback_id, False, exc.message))
    return await _desk(request, operator, session, outcomes, chosen)
