"""Annotated dependency aliases: settings, store session, caller, Temporal control."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth import Principal, authenticate
from api.catalogue import CatalogueCache
from api.client_address import client_address
from api.ratelimit import RateLimiter
from api.tokens import TokenVerifier
from core.errors import TooManyRequests, Unauthenticated
from core.netguard import NetGuard
from core.secret_box import SecretBox
from core.settings import Settings
from runtime.callbacks import CallbackControl
from runtime.metrics import Metrics
from store.db import Database

__all__ = [
    "CallerDep",
    "CatalogueDep",
    "ControlDep",
    "MetricsDep",
    "SecretBoxDep",
    "SessionDep",
    "SettingsDep",
    "TargetGuardDep",
    "caller_address",
    "limit_caller",
    "limit_failures",
    "limit_public",
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


def _catalogue(request: Request) -> CatalogueCache:
    catalogue: CatalogueCache = request.app.state.catalogue
    return catalogue


SettingsDep = Annotated[Settings, Depends(_settings)]


def _target_guard(settings: SettingsDep) -> NetGuard:
    return NetGuard(settings.allowed_target_networks)


TargetGuardDep = Annotated[NetGuard, Depends(_target_guard)]
CatalogueDep = Annotated[CatalogueCache, Depends(_catalogue)]
ControlDep = Annotated[CallbackControl, Depends(_control)]
SecretBoxDep = Annotated[SecretBox, Depends(_secret_box)]


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(_metrics)]
SessionDep = Annotated[AsyncSession, Depends(_session)]


def caller_address(request: Request) -> str | None:
    """The caller's address: the peer, or what trusted proxies say it is (the one place that
    reads it: key allow-lists, the audit log and the per-address rate limits all come here)."""
    peer = request.client.host if request.client else None
    trusted = request.app.state.trusted_proxies
    if not trusted:
        return peer
    header: str = request.app.state.trusted_proxy_header
    return client_address(peer, request.headers.getlist(header), trusted, header=header)


async def _caller(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> Principal:
    presented = bearer.credentials if bearer is not None else header_key
    tokens: TokenVerifier = request.app.state.tokens
    address = caller_address(request)
    try:
        caller = await authenticate(
            session,
            presented=presented,
            address=address,
            tokens=tokens if bearer is not None else None,
        )
    except Unauthenticated:  # failures count per address, so guessing keys is slowed down too
        limit_failures(request, address)
        raise
    limit_caller(request, caller)
    return caller


def limit_caller(request: Request, caller: Principal) -> None:
    """The caller's token bucket (its key's own limit, else the API's default)."""
    settings: Settings = request.app.state.settings
    rate = caller.rate_limit_per_second or settings.api_rate_limit_per_second
    burst = caller.rate_limit_burst or settings.api_rate_limit_burst
    _take(request, f"{caller.method}:{caller.subject}", rate, burst, "requests of this caller")


def limit_failures(request: Request, address: str | None) -> None:
    """One bucket per address for failed authentications, with the API's default limit."""
    settings: Settings = request.app.state.settings
    rate, burst = settings.api_rate_limit_per_second, settings.api_rate_limit_burst
    _take(request, f"failed:{address}", rate, burst, f"failed authentications from {address}")


def limit_public(request: Request) -> None:
    """Unauthenticated routes (the public catalogue): one bucket per caller address (behind
    trusted proxies the forwarded one, see ``caller_address``)."""
    settings: Settings = request.app.state.settings
    address = caller_address(request)
    rate, burst = settings.public_rate_limit_per_second, settings.public_rate_limit_burst
    _take(request, f"public:{address}", rate, burst, f"unauthenticated requests from {address}")


def _take(request: Request, bucket: str, rate: float, burst: int, what: str) -> None:
    """One token from ``bucket``, else 429 with Retry-After."""
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.check(bucket, rate=rate, burst=burst)
    if wait:
        raise TooManyRequests(
            f"too many {what}: the limit is {rate:g}/s (burst {burst}); retry in {wait}s",
            retry_after=wait,
        )


CallerDep = Annotated[Principal, Depends(_caller)]
