"""Annotated dependency aliases: settings, store session, caller, Temporal control."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Principal, authenticate
from api.client_address import client_address
from api.ratelimit import RateLimiter
from api.tokens import TokenVerifier
from core.errors import TooManyRequests
from core.netguard import NetGuard
from core.secret_box import SecretBox
from core.settings import Settings
from runtime.callbacks import CallbackControl
from runtime.metrics import Metrics
from store.db import Database

__all__ = [
    "CallerDep",
    "ControlDep",
    "MetricsDep",
    "SecretBoxDep",
    "SessionDep",
    "SettingsDep",
    "TargetGuardDep",
    "caller_address",
    "limit_caller",
]

_bearer = HTTPBearer(
    auto_error=False, description="An API key, or a JWT from the configured issuer"
)
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _secret_box(request: Request) -> SecretBox:
    box: SecretBox = request.app.state.secret_box
    return box


def _control(request: Request) -> CallbackControl:
    control: CallbackControl = request.app.state.control
    return control


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(_settings)]


def _target_guard(settings: SettingsDep) -> NetGuard:
    return NetGuard(settings.allowed_target_networks)


TargetGuardDep = Annotated[NetGuard, Depends(_target_guard)]
ControlDep = Annotated[CallbackControl, Depends(_control)]
SecretBoxDep = Annotated[SecretBox, Depends(_secret_box)]


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(_metrics)]
SessionDep = Annotated[AsyncSession, Depends(_session)]


def caller_address(request: Request) -> str | None:
    """The caller's address: the peer, or what trusted proxies say it is."""
    peer = request.client.host if request.client else None
    trusted = request.app.state.trusted_proxies
    forwarded = request.headers.getlist("x-forwarded-for") if trusted else []
    return client_address(peer, forwarded, trusted)


async def _caller(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    presented = bearer.credentials if bearer is not None else header_key
    tokens: TokenVerifier = request.app.state.tokens
    caller = await authenticate(
        session,
        presented=presented,
        address=caller_address(request),
        tokens=tokens if bearer is not None else None,
    )
    limit_caller(request, caller)
    return caller


def limit_caller(request: Request, caller: Principal) -> None:
    """The caller's token bucket (its key's own limit, else the API's default)."""
    settings: Settings = request.app.state.settings
    limiter: RateLimiter = request.app.state.rate_limiter
    rate = caller.rate_limit_per_second or settings.api_rate_limit_per_second
    burst = caller.rate_limit_burst or settings.api_rate_limit_burst
    wait = limiter.check(f"{caller.method}:{caller.subject}", rate=rate, burst=burst)
    if wait:
        raise TooManyRequests(
            f"over the rate limit of {rate:g}/s (burst {burst}); retry in {wait}s",
            retry_after=wait,
        )


CallerDep = Annotated[Principal, Depends(_caller)]
