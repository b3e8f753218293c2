"""Caller authentication by API key and the tenant scope it grants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from api.client_address import in_networks, parse_networks
from api.tokens import TokenVerifier, looks_like_jwt
from core.errors import Forbidden, InvalidInput, Unauthenticated
from store.api_keys import find_api_key
from store.types import utcnow

__all__ = ["Principal", "authenticate"]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key id, its role, and the one tenant it is bound to (None = global)."""

    key_id: str
    role: str
    tenant_id: str | None
    method: str = "api_key"
    address: str | None = None
    rate_limit_per_second: float | None = None
    rate_limit_burst: int | None = None

    @property
    def subject(self) -> str:
        """Who this is in the audit log: the key id, or the token's subject."""
        return self.key_id

    def check_tenant(self, tenant_id: str) -> None:
        """Refuses a tenant-scoped key that reaches for another tenant."""
        if self.tenant_id is not None and self.tenant_id != tenant_id:
            raise Forbidden(
                "this API key is scoped to another tenant", code="tenant_scope_violation"
            )

    def resolve_tenant(self, requested: str | None) -> str:
        """The tenant a write acts on: the key's own, or the one a global key names."""
        if self.tenant_id is not None:
            if requested is not None:
                self.check_tenant(requested)
            return self.tenant_id
        if requested is None:
            raise InvalidInput("tenant_id is required with a global key", code="tenant_required")
        return requested

    def list_scope(self, requested: str | None) -> str | None:
        """The tenant filter of a listing: forced to the key's tenant when it has one."""
        if self.tenant_id is not None:
            if requested is not None:
                self.check_tenant(requested)
            return self.tenant_id
        return requested


async def authenticate(
    session: AsyncSession,
    *,
    presented: str | None,
    address: str | None = None,
    tokens: TokenVerifier | None = None,
) -> Principal:
    """An API key (``gt_...``, or the configured admin key) or, if enabled, a JWT."""
    if not presented:
        raise Unauthenticated(
            "missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            code="missing_credentials",
        )
    if tokens is not None and looks_like_jwt(presented):
        claims = await tokens.verify(presented)
        return Principal(
            key_id=claims.subject,
            role=claims.role,
            tenant_id=claims.tenant_id,
            method="jwt",
            address=address,
        )
    key = await find_api_key(session, plain=presented)
    if key is None:
        raise Unauthenticated("unknown or revoked API key", code="invalid_api_key")
    if key.expires_at is not None and key.expires_at <= utcnow():
        raise Unauthenticated("this API key has expired", code="api_key_expired")
    if key.allowed_cidrs and not in_networks(address, parse_networks(key.allowed_cidrs)):
        raise Forbidden(f"this API key may not be used from {address}", code="ip_not_allowed")
    return Principal(
        key_id=key.id,
        role=key.role,
        tenant_id=key.tenant_id,
        address=address,
        rate_limit_per_second=key.rate_limit_per_second,
        rate_limit_burst=key.rate_limit_burst,
    )
