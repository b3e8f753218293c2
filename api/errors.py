"""One place that turns every error into ``{"code", "message", "details"}`` with its status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import ErrorBody
from core.errors import GoutongError, TooManyRequests

__all__ = ["ERROR_RESPONSES", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)


_ERRORS = {
    401: "No credentials, or unknown, revoked, expired or invalid ones",
    403: "The caller may not do this (role, another tenant, address not allowed)",
    404: "No such resource",
    409: "Conflicts with the current state (idempotency key reused, callback closed, ...)",
    413: "Request body over the limit",
    422: "Invalid input; `details` lists the fields",
    429: "Over the caller's rate limit; wait Retry-After seconds",
    503: "Temporal or the store is unavailable; retry with the same idempotency key",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _ERRORS.items()
}
"""Documented on every route, so the OpenAPI schema describes every answer we give."""


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def _count_rejected_event(request: Request) -> None:
    if request.url.path.startswith("/v1/events") and request.method == "POST":
        request.app.state.metrics.events.labels("rejected").inc()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(GoutongError)
    async def _domain(request: Request, exc: GoutongError) -> JSONResponse:
        if exc.status_code < 500:
            _count_rejected_event(request)
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return error_response(exc.status_code, exc.code, exc.message, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        _count_rejected_event(request)
        errors = _field_errors(exc)
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return error_response(
            422,
            "validation_error",
            f"{where}: {first['msg']}" if where else str(first["msg"]),
            errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            404: "not_found",
            405: "method_not_allowed",
            400: "bad_request",
            413: "payload_too_large",
        }
        code = codes.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {})
        )

    @app.exception_handler(DBAPIError)
    async def _store(_: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 ("data exception"): a value the store cannot hold, such as a NUL
        # character in PostgreSQL text. It came from the caller; anything else is ours.
        if not str(getattr(exc.orig, "sqlstate", None) or "").startswith("22"):
            raise exc
        log.warning("store refused a value: %s", exc.orig)
        return error_response(
            422,
            "invalid_input",
            "a value in the request is not acceptable to the store (e.g. a NUL character)",
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return error_response(500, "internal_error", "internal error; it has been logged")
