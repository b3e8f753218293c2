"""JWT bearer tokens from an external issuer (e.g. OAuth2 client credentials): verified with a
shared secret (HS256) or the issuer's public key or JWKS (RS256), claims mapped to a role and
a tenant. Every refusal is a 401/403 with its own code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jwt

from api.keysource import JwksSource, KeySource, StaticKey
from core.errors import Forbidden, Unauthenticated
from core.roles import ROLES
from core.settings import Settings

__all__ = ["TokenClaims", "TokenVerifier", "looks_like_jwt"]

_JWT = re.compile(r"^eyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*$")

_REFUSALS: list[tuple[type[Exception], str, str]] = [
    (jwt.ExpiredSignatureError, "token_expired", "the token has expired"),
    (jwt.ImmatureSignatureError, "token_not_yet_valid", "the token is not valid yet"),
    (jwt.InvalidSignatureError, "bad_signature", "the token's signature does not verify"),
    (jwt.InvalidAudienceError, "wrong_audience", "the token is for another audience"),
    (jwt.InvalidIssuerError, "wrong_issuer", "the token is from another issuer"),
    (jwt.MissingRequiredClaimError, "missing_claim", "the token lacks a required claim"),
    (jwt.InvalidAlgorithmError, "wrong_algorithm", "the token's algorithm is not accepted"),
    (jwt.DecodeError, "malformed_token", "the token cannot be decoded"),
]


def looks_like_jwt(presented: str) -> bool:
    """API keys never contain dots; a JWT is three base64url parts, the first a JSON header."""
    return bool(_JWT.match(presented))


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    role: str
    tenant_id: str | None


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested objects (``realm_access.roles``)."""
    value: Any = claims.get(path)
    if value is None and "." in path:
        value = claims
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return value


class TokenVerifier:
    """Built once per API process from Settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.algorithm = settings.jwt_algorithm
        self.keys = self._key_source(settings)

    @staticmethod
    def _key_source(settings: Settings) -> KeySource | None:
        if settings.jwt_algorithm == "HS256":
            secret = settings.jwt_secret
            return StaticKey(secret.encode()) if secret else None
        if settings.jwt_public_key:
            return StaticKey(settings.jwt_public_key.replace("\\n", "\n").encode())
        if settings.jwt_jwks:
            return JwksSource(settings.jwt_jwks, ttl=settings.jwt_jwks_cache_seconds)
        return None

    @property
    def enabled(self) -> bool:
        return self.keys is not None

    async def verify(self, token: str) -> TokenClaims:
        if self.keys is None:
            raise Unauthenticated(
                "JWT bearer tokens are not enabled here; use an API key", code="jwt_not_enabled"
            )
        s = self.settings
        try:
            header = jwt.get_unverified_header(token)
            key = await self.keys.key_for(header)
            claims = jwt.decode(
                token,
                key,
                algorithms=[self.algorithm],
                audience=s.jwt_audience or None,
                issuer=s.jwt_issuer or None,
                leeway=s.jwt_leeway_seconds,
                options={
                    "require": ["exp", s.jwt_subject_claim]
                    + (["aud"] if s.jwt_audience else [])
                    + (["iss"] if s.jwt_issuer else []),
                    "verify_aud": bool(s.jwt_audience),
                },
            )
        except jwt.PyJWTError as exc:
            for kind, code, message in _REFUSALS:
                if isinstance(exc, kind):
                    raise Unauthenticated(f"{message}: {exc}", code=code) from exc
            raise Unauthenticated(f"invalid token: {exc}", code="invalid_token") from exc
        return self._map(claims)

    def _map(self, claims: dict[str, Any]) -> TokenClaims:
        s = self.settings
        subject = str(claims[s.jwt_subject_claim])
        raw = _claim(claims, s.jwt_role_claim)
        if raw is None or raw == "" or raw == []:
            raise Unauthenticated(
                f"the token has no {s.jwt_role_claim!r} claim", code="missing_claim"
            )
        values = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else [raw]
        prefix = s.jwt_role_prefix
        roles = {
            str(v)[len(prefix) :]
            for v in values
            if str(v).startswith(prefix) and str(v)[len(prefix) :] in ROLES
        }
        if not roles:
            raise Forbidden(f"the token names no known role in {raw!r}", code="unknown_role")
        if len(roles) > 1:
            raise Forbidden(
                f"the token names several roles ({', '.join(sorted(roles))}); give it one",
                code="ambiguous_role",
            )
        [role] = roles
        tenant = _claim(claims, s.jwt_tenant_claim)
        tenant_id = str(tenant) if tenant not in (None, "") else None
        if role == "admin" and tenant_id is not None:
            raise Forbidden("an admin token must not name a tenant", code="invalid_token_scope")
        if role == "tenant_admin" and tenant_id is None:
            raise Unauthenticated(
                f"a tenant_admin token needs the {s.jwt_tenant_claim!r} claim",
                code="missing_claim",
            )
        return TokenClaims(subject=subject, role=role, tenant_id=tenant_id)
