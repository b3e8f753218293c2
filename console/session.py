"""The console's sign-in cookie (the API key sealed with AES-GCM) and its CSRF tokens."""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from core.secret_box import SEALED_PREFIX, SecretBox, SecretBoxError
from core.settings import Settings

__all__ = [
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "ConsoleSession",
    "clear_session",
    "new_token",
    "read_session",
    "same_token",
    "write_session",
]

SESSION_COOKIE = "goutong_console"
LOGIN_CSRF_COOKIE = "goutong_console_login"
COOKIE_PATH = "/console"
_CONTEXT = "console-session"


@dataclass(frozen=True)
class ConsoleSession:
    """What the cookie carries: the API key, this sign-in's CSRF token, when it was issued."""

    api_key: str
    csrf: str
    issued_at: float


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, presented: object) -> bool:
    """Constant-time comparison; missing or non-text tokens never match."""
    if not expected or not isinstance(presented, str) or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def write_session(response: Response, box: SecretBox, settings: Settings, api_key: str) -> None:
    """Seals a fresh session (new CSRF token) into an HttpOnly, SameSite=Strict cookie."""
    payload = {"k": api_key, "c": new_token(), "t": time.time()}
    response.set_cookie(
        SESSION_COOKIE,
        box.seal(json.dumps(payload), context=_CONTEXT),
        max_age=int(settings.console_session_hours * 3600),
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.console_secure_cookie,
    )


def read_session(request: Request, box: SecretBox, settings: Settings) -> ConsoleSession | None:
    """The session in the request's cookie; None when absent, tampered with or expired."""
    sealed = request.cookies.get(SESSION_COOKIE)
    if not sealed or not sealed.startswith(SEALED_PREFIX):  # open() passes plain text through
        return None
    try:
        payload = json.loads(box.open(sealed, context=_CONTEXT))
        session = ConsoleSession(
            api_key=str(payload["k"]), csrf=str(payload["c"]), issued_at=float(payload["t"])
        )
    except (SecretBoxError, ValueError, KeyError, TypeError):
        return None
    if time.time() - session.issued_at > settings.console_session_hours * 3600:
        return None
    return session


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict")
