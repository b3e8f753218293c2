"""Endpoints: list, create, edit, enable/disable, rotate the secret, send a test event."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import ControlDep, SecretBoxDep, SessionDep, TargetGuardDep
from api.routes import callbacks as callbacks_api
from api.routes import endpoint_health as health_api
from api.routes import endpoint_secrets as secrets_api
from api.routes import endpoints as api
from api.routes import tenants as tenants_api
from api.schemas import EndpointCreate, EndpointPublic, EndpointUpdate, SecretRotate
from console.endpoint_templates import new_endpoint_form, template_choices
from console.forms import FormErrors, endpoint_values, field_errors, form_of_endpoint, parse
from console.rights import RouteClass, require
from console.secret_once import endpoint_secret, show_secret
from console.test_event import send_test_event
from console.web import ChangeDep, ConsoleRoute, Operator, OperatorDep, render
from core.callback_contracts import CallbackState
from core.errors import InvalidInput, NotFound

__all__ = ["router"]

router = APIRouter(route_class=ConsoleRoute)


async def _endpoint(operator: Operator, session: SessionDep, endpoint_id: str) -> EndpointPublic:
    """GET /v1/endpoints/{id}: the endpoint, if this key may read it."""
    return await api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )


@router.get("/endpoints")
async def endpoints(request: Request, operator: OperatorDep, session: SessionDep) -> HTMLResponse:
    tenant = request.query_params.get("tenant") or None
    page = await api.list_endpoints(
        caller=operator.principal,
        session=session,
        tenant=tenant,
        cursor=request.query_params.get("cursor"),
        limit=50,
    )
    return render(request, "endpoints.html", operator, {"page": page, "tenant": tenant or ""})


async def _new_page(
    request: Request,
    operator: Operator,
    session: SessionDep,
    form: dict[str, Any],
    errors: FormErrors,
) -> HTMLResponse:
    tenants = await tenants_api.list_tenants(
        caller=operator.principal, session=session, cursor=None, limit=500
    )
    context = {
        "form": form,
        "errors": errors,
        "tenants": tenants.data,
        "templates": await template_choices(operator, session),
    }
    return render(request, "endpoint_new.html", operator, context, 422 if errors else 200)


@router.get("/endpoints/new")
async def new_endpoint(
    request: Request, operator: OperatorDep, session: SessionDep
) -> HTMLResponse:
    require(operator.principal, RouteClass.CONFIGURE)
    form = await new_endpoint_form(operator, session, request.query_params.get("template"))
    form.setdefault("tenant_id", request.query_params.get("tenant", ""))
    return await _new_page(request, operator, session, form, {})


@router.post("/endpoints/new")
async def create_endpoint(
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    box: SecretBoxDep,
    guard: TargetGuardDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    values = endpoint_values(await request.form(), creating=True)
    body = parse(EndpointCreate, values)
    if isinstance(body, dict):
        return await _new_page(request, operator, session, form_of_endpoint(values), body)
    try:
        created = await api.create_endpoint(
            body=body,
            caller=operator.principal,
            session=session,
            box=box,
            guard=guard,
            control=control,
        )
    except (InvalidInput, NotFound) as exc:
        errors = field_errors(exc)
        return await _new_page(request, operator, session, form_of_endpoint(values), errors)
    shown = endpoint_secret(created, created.secret, "created")
    return show_secret(request, operator, shown, 201)


async def _detail_page(
    request: Request,
    operator: Operator,
    session: SessionDep,
    endpoint: EndpointPublic,
    form: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
) -> HTMLResponse:
    recent = await callbacks_api.list_callbacks(
        caller=operator.principal,
        session=session,
        tenant=None,
        endpoint=endpoint.id,
        status=None,
        event_type=None,
        cursor=None,
        limit=10,
    )
    in_flight = any(c.status not in (*CallbackState.FINAL, "dead_lettered") for c in recent.data)
    health = await health_api.endpoint_health(
        endpoint_id=endpoint.id, caller=operator.principal, session=session
    )
    context = {
        "endpoint": endpoint,
        "health": health,
        "form": form or form_of_endpoint(endpoint.model_dump(mode="json")),
        "errors": errors or {},
        "recent": recent.data,
        "refresh": in_flight and not errors,
    }
    return render(request, "endpoint.html", operator, context, 422 if errors else 200)


@router.get("/endpoints/{endpoint_id}")
async def endpoint(
    endpoint_id: str, request: Request, operator: OperatorDep, session: SessionDep
) -> HTMLResponse:
    found = await api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )
    return await _detail_page(request, operator, session, found)


@router.post("/endpoints/{endpoint_id}")
async def update_endpoint(
    endpoint_id: str,
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    guard: TargetGuardDep,
    box: SecretBoxDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    current = await api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )
    values = endpoint_values(await request.form(), creating=False)
    changed = {k: v for k, v in values.items() if k != "url" or v != current.url}
    body = parse(EndpointUpdate, changed)  # the url only when it changes: it may be one of many
    errors: FormErrors = body if isinstance(body, dict) else {}
    if isinstance(body, EndpointUpdate):
        try:
            await api.update_endpoint(
                endpoint_id=endpoint_id,
                body=body,
                caller=operator.principal,
                session=session,
                guard=guard,
                box=box,
                control=control,
            )
        except InvalidInput as exc:
            errors = field_errors(exc)
    if errors:
        form = form_of_endpoint(values)
        return await _detail_page(request, operator, session, current, form, errors)
    return RedirectResponse(f"/console/endpoints/{endpoint_id}", 303)


@router.post("/endpoints/{endpoint_id}/enabled")
async def set_enabled(
    endpoint_id: str,
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    guard: TargetGuardDep,
    box: SecretBoxDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    form = await request.form()
    enabled = form.get("enabled") == "true"
    reason = str(form.get("reason") or "").strip()
    values = {"enabled": enabled, **({"disabled_reason": reason} if reason and not enabled else {})}
    body = parse(EndpointUpdate, values)
    if isinstance(body, dict):
        raise InvalidInput(f"reason: {next(iter(body.values()))}", code="validation_error")
    await api.update_endpoint(
        endpoint_id=endpoint_id,
        body=body,
        caller=operator.principal,
        session=session,
        guard=guard,
        box=box,
        control=control,
    )
    return RedirectResponse(f"/console/endpoints/{endpoint_id}", 303)


@router.post("/endpoints/{endpoint_id}/rotate")
async def rotate_secret(
    endpoint_id: str,
    request: Request,
    operator: ChangeDep,
    session: SessionDep,
    box: SecretBoxDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    grace = str((await request.form()).get("grace_seconds") or "86400")
    body = parse(SecretRotate, {"grace_seconds": grace})
    if isinstance(body, dict):
        raise InvalidInput(f"grace period: {next(iter(body.values()))}", code="validation_error")
    revealed = await secrets_api.rotate_secret(
        endpoint_id=endpoint_id, body=body, caller=operator.principal, session=session, box=box
    )
    found = await api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )
    return show_secret(request, operator, endpoint_secret(found, revealed.secret, "rotated"))


@router.post("/endpoints/{endpoint_id}/test")
async def test_event(
    endpoint_id: str,
    operator: ChangeDep,
    session: SessionDep,
    control: ControlDep,
) -> Response:
    require(operator.principal, RouteClass.CONFIGURE)
    found = await api.get_endpoint(
        endpoint_id=endpoint_id, caller=operator.principal, session=session
    )
    callback_id = await send_test_event(session, control, operator.principal, found.id)
    return RedirectResponse(f"/console/callbacks/{callback_id}", 303)
