"""The one exception the client raises for a failed call: the API's ``code``, message, status."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ApiError"]


class ApiError(Exception):
    """A call the API refused (4xx/5xx), or that never reached it (``status`` is None).

    ``code`` is the API's machine-readable code (``endpoint_not_found``, ``validation_error``,
    ...), or ``connection_error`` / ``timeout`` when no answer came back.
    """

    def __init__(self, status: int | None, code: str, message: str, details: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        """Reads the API's ``{"code", "message", "details"}`` body (or makes one up)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            return cls(
                response.status_code,
                body["code"],
                str(body.get("message", "")),
                body.get("details"),
            )
        text = response.text.strip()[:200] or response.reason_phrase
        return cls(response.status_code, f"http_{response.status_code}", text)

    @classmethod
    def from_transport(cls, exc: httpx.TransportError) -> ApiError:
        code = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection_error"
        return cls(None, code, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
