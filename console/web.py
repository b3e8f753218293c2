"""The console's plumbing: templates, the signed-in operator, CSRF, and errors as HTML pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.auth import Principal, authenticate
from api.deps import SecretBoxDep, SessionDep, SettingsDep, caller_address, limit_caller
from console.rights import RouteClass, may, require
from console.session import clear_session, read_session, same_token
from core.errors import Forbidden, GoutongError, Unauthenticated

__all__ = [
    "ChangeDep",
    "ConsoleRoute",
    "Operator",
    "OperatorDep",
    "render",
    "templates",
]

log = logging.getLogger(__name__)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _short(callback_id: str) -> str:
    """``cb_<event>_<endpoint>`` -> the event part, which tells one endpoint's callbacks apart."""
    parts = callback_id.split("_")
    return parts[1] if len(parts) == 3 else callback_id


templates.env.filters["when"] = _when
templates.env.filters["short"] = _short


@dataclass(frozen=True)
class Operator:
    """The signed-in caller and the CSRF token every form of this sign-in carries."""

    principal: Principal
    csrf: str

    def may(self, action: str) -> bool:
        return may(self.principal, RouteClass(action))


async def _operator(
    request: Request, session: SessionDep, box: SecretBoxDep, settings: SettingsDep
) -> Operator:
    signed_in = read_session(request, box, settings)
    if signed_in is None:
        raise Unauthenticated("sign in to use the console", code="console_sign_in")
    principal = await authenticate(
        session, presented=signed_in.api_key, address=caller_address(request)
    )
    limit_caller(request, principal)  # the key's API rate limit covers its console use
    require(principal, RouteClass.READ)  # every page reads; a producer key has no console
    return Operator(principal=principal, csrf=signed_in.csrf)


OperatorDep = Annotated[Operator, Depends(_operator)]


async def _change(request: Request, operator: OperatorDep) -> Operator:
    """A signed-in operator whose form carries this sign-in's CSRF token."""
    form = await request.form()
    if not same_token(operator.csrf, form.get("csrf_token")):
        raise Forbidden(
            "the form's CSRF token is missing or stale; reload the page", code="csrf_failed"
        )
    return operator


ChangeDep = Annotated[Operator, Depends(_change)]
"""For every POST handler: signed in, and the form is one we served to this sign-in."""


def render(
    request: Request,
    template: str,
    operator: Operator | None,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    values = {"me": operator, "path": request.url.path, **(context or {})}
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def _sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/console/login?next={quote(target, safe='')}", 303)
    clear_session(response)
    return response


class ConsoleRoute(APIRoute):
    """Turns the API's errors into HTML: sign-in redirects, 403/404/409/422 pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return _sign_in_redirect(request)
            except GoutongError as exc:
                return _error_page(request, exc.status_code, exc.code, exc.message)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(p) for p in first.get("loc", ()))
                return _error_page(request, 422, "validation_error", f"{where}: {first.get('msg')}")

        return handle


def _error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    if status >= 500:
        log.warning("console page %s failed: %s %s", request.url.path, code, message)
    context = {"status": status, "code": code, "message": message}
    return render(request, "error.html", None, context, status_code=status)
