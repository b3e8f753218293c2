"""API keys: stored as SHA-256 hashes, shown in clear once at creation."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.ids import new_id
from store.tenant_models import ApiKey
from store.types import utcnow

__all__ = [
    "KeyTerms",
    "admin_key_exists",
    "create_api_key",
    "find_api_key",
    "get_api_key",
    "hash_key",
    "install_api_key",
    "list_api_keys",
    "revoke_api_key",
]


def hash_key(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _new_plain_key() -> str:
    return "gt_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeyTerms:
    """What a key may do besides its role: from where, until when, how fast."""

    allowed_cidrs: list[str] = field(default_factory=list)
    expires_at: datetime | None = None
    rate_limit_per_second: float | None = None
    rate_limit_burst: int | None = None


async def install_api_key(
    session: AsyncSession,
    *,
    plain: str,
    role: str,
    tenant_id: str | None,
    name: str = "",
    terms: KeyTerms | None = None,
) -> ApiKey:
    """Stores the hash of a given key (used for the bootstrap admin key)."""
    terms = terms or KeyTerms()
    key = ApiKey(
        id=new_id("key"),
        name=name,
        key_hash=hash_key(plain),
        hint=plain[:7] + "…",
        role=role,
        tenant_id=tenant_id,
        allowed_cidrs=list(terms.allowed_cidrs),
        expires_at=terms.expires_at,
        rate_limit_per_second=terms.rate_limit_per_second,
        rate_limit_burst=terms.rate_limit_burst,
    )
    session.add(key)
    await session.commit()
    return key


async def create_api_key(
    session: AsyncSession,
    *,
    role: str,
    tenant_id: str | None,
    name: str = "",
    terms: KeyTerms | None = None,
) -> tuple[ApiKey, str]:
    """A new key; the plain text is returned here and never again."""
    plain = _new_plain_key()
    key = await install_api_key(
        session, plain=plain, role=role, tenant_id=tenant_id, name=name, terms=terms
    )
    return key, plain


async def find_api_key(
    session: AsyncSession, *, plain: str, include_revoked: bool = False
) -> ApiKey | None:
    statement = select(ApiKey).where(ApiKey.key_hash == hash_key(plain))
    key = (await session.exec(statement)).first()
    if key is None or (key.revoked_at is not None and not include_revoked):
        return None
    return key


async def admin_key_exists(session: AsyncSession) -> bool:
    statement = select(ApiKey).where(ApiKey.role == "admin", ApiKey.tenant_id == None)  # noqa: E711
    return (await session.exec(statement)).first() is not None


async def list_api_keys(session: AsyncSession, *, tenant_id: str | None = None) -> list[ApiKey]:
    statement = select(ApiKey).where(ApiKey.revoked_at == None)  # noqa: E711
    if tenant_id is not None:
        statement = statement.where(ApiKey.tenant_id == tenant_id)
    return list((await session.exec(statement.order_by(ApiKey.id))).all())


async def get_api_key(session: AsyncSession, *, key_id: str) -> ApiKey | None:
    """A key that is not revoked."""
    key = await session.get(ApiKey, key_id)
    return key if key is not None and key.revoked_at is None else None


async def revoke_api_key(session: AsyncSession, *, key_id: str) -> ApiKey | None:
    key = await session.get(ApiKey, key_id)
    if key is None:
        return None
    key.revoked_at = utcnow()
    session.add(key)
    await session.commit()
    return key
