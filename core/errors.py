"""Domain errors, each with a machine-readable code and an HTTP status.

Tree::

    GoutongError                  500 internal_error
    ├── InvalidInput              422 invalid_input
    │   └── TargetNotAllowed      422 target_not_allowed
    ├── NotFound                  404 not_found
    ├── Conflict                  409 conflict
    │   └── CallbackClosed        409 callback_closed
    ├── Unauthenticated           401 unauthenticated
    ├── Forbidden                 403 forbidden
    ├── PayloadTooLarge           413 payload_too_large
    ├── TooManyRequests           429 rate_limited
    └── ServiceUnavailable        503 service_unavailable

The API maps every one of them to ``{"code", "message", "details"}`` in one place.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "CallbackClosed",
    "Conflict",
    "Forbidden",
    "GoutongError",
    "InvalidInput",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "TargetNotAllowed",
    "TooManyRequests",
    "Unauthenticated",
]


class GoutongError(Exception):
    """Base of every error the service reports to a caller."""

    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class InvalidInput(GoutongError):
    status_code = 422
    default_code = "invalid_input"


class TargetNotAllowed(InvalidInput):
    """A target whose address is private, loopback, link-local, multicast or reserved."""

    default_code = "target_not_allowed"


class NotFound(GoutongError):
    status_code = 404
    default_code = "not_found"


class Conflict(GoutongError):
    status_code = 409
    default_code = "conflict"


class CallbackClosed(Conflict):
    default_code = "callback_closed"


class Unauthenticated(GoutongError):
    status_code = 401
    default_code = "unauthenticated"


class Forbidden(GoutongError):
    status_code = 403
    default_code = "forbidden"


class PayloadTooLarge(GoutongError):
    status_code = 413
    default_code = "payload_too_large"


class TooManyRequests(GoutongError):
    """Over a rate limit; ``retry_after`` whole seconds go out as the Retry-After header."""

    status_code = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, details={"retry_after_seconds": retry_after})
        self.retry_after = retry_after


class ServiceUnavailable(GoutongError):
    status_code = 503
    default_code = "service_unavailable"
