"""Sign in with an API key, sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import authenticate
from api.deps import SecretBoxDep, SessionDep, SettingsDep, caller_address, limit_failures
from console.rights import RouteClass, require
from console.session import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    clear_session,
    new_token,
    same_token,
    write_session,
)
from console.web import ChangeDep, ConsoleRoute, render
from core.errors import Forbidden, GoutongError, TooManyRequests, Unauthenticated

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)


def _safe_next(target: object) -> str:
    """Only a console path; anything else (another site, ``//host``) goes to the start page."""
    if isinstance(target, str) and target.startswith("/console") and "//" not in target:
        return target
    return "/console/callbacks"


@router.get("/")
async def start() -> Response:
    return RedirectResponse("/console/callbacks", 303)


def _login_page(
    request: Request, settings: SettingsDep, error: str = "", status_code: int = 200
) -> HTMLResponse:
    token = new_token()
    context = {"csrf": token, "next": _safe_next(request.query_params.get("next")), "error": error}
    response = render(request, "login.html", None, context, status_code=status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.console_secure_cookie,
    )
    return response


@router.get("/login")
async def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _login_page(request, settings)


@router.post("/login")
async def login(
    request: Request, session: SessionDep, box: SecretBoxDep, settings: SettingsDep
) -> Response:
    form = await request.form()
    if not same_token(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")):
        raise Forbidden("the sign-in form is stale; reload the page", code="csrf_failed")
    key = form.get("api_key")
    try:
        principal = await authenticate(
            session,
            presented=key if isinstance(key, str) else None,
            address=caller_address(request),
        )
        require(principal, RouteClass.READ)  # what every console page does
    except (Unauthenticated, Forbidden) as exc:
        error: GoutongError = exc
        if isinstance(exc, Unauthenticated):  # wrong keys are limited per address, as in the API
            try:
                limit_failures(request, caller_address(request))
            except TooManyRequests as limited:
                error = limited
        return _login_page(request, settings, error.message, status_code=error.status_code)
    assert isinstance(key, str)
    response = RedirectResponse(_safe_next(form.get("next")), 303)
    write_session(response, box, settings, key)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
async def logout(_: ChangeDep) -> Response:
    response = RedirectResponse("/console/login", 303)
    clear_session(response)
    return response
