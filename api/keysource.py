"""Where JWT verification keys come from: a shared secret, a PEM public key, or a JWKS (file or
URL, cached and re-read when a token names a key id it does not know)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt

from core.errors import ServiceUnavailable, Unauthenticated

__all__ = ["JwksSource", "KeySource", "StaticKey"]

_REFRESH_AT_MOST_EVERY = 30.0


class KeySource:
    """Gives the key that verifies a token with this header."""

    async def key_for(self, header: dict[str, Any]) -> Any:
        raise NotImplementedError


class StaticKey(KeySource):
    def __init__(self, key: Any) -> None:
        self.key = key

    async def key_for(self, header: dict[str, Any]) -> Any:
        return self.key


class JwksSource(KeySource):
    """A JSON Web Key Set from a file path or an http(s) URL, cached for ``ttl`` seconds."""

    def __init__(self, location: str, *, ttl: float = 300.0, timeout: float = 5.0) -> None:
        self.location = location
        self.ttl = ttl
        self.timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at = -1e9
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, Any]:
        if self.location.startswith(("http://", "https://")):
            try:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    response = await client.get(self.location)
                    response.raise_for_status()
                    data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ServiceUnavailable(
                    f"the JWKS at {self.location} could not be read", code="jwks_unavailable"
                ) from exc
        else:
            try:
                data = json.loads(await asyncio.to_thread(Path(self.location).read_text))
            except (OSError, ValueError) as exc:
                raise ServiceUnavailable(
                    f"the JWKS file {self.location} could not be read", code="jwks_unavailable"
                ) from exc
        if not isinstance(data, dict):
            raise ServiceUnavailable("the JWKS is not a JSON object", code="jwks_unavailable")
        return data

    async def _refresh(self) -> None:
        data = await self._fetch()
        try:
            keys = jwt.PyJWKSet.from_dict(data).keys
        except jwt.PyJWTError as exc:
            raise ServiceUnavailable(
                f"the JWKS is unusable: {exc}", code="jwks_unavailable"
            ) from exc
        self._keys = {str(k.key_id or ""): k for k in keys}
        self._loaded_at = time.monotonic()

    async def key_for(self, header: dict[str, Any]) -> Any:
        kid = str(header.get("kid") or "")
        async with self._lock:
            age = time.monotonic() - self._loaded_at
            stale = age > self.ttl
            unknown = kid not in self._keys and age > min(self.ttl, _REFRESH_AT_MOST_EVERY)
            if stale or unknown:
                await self._refresh()
        if kid not in self._keys:
            if not kid and len(self._keys) == 1:
                return next(iter(self._keys.values())).key
            raise Unauthenticated(f"no key {kid!r} in the issuer's JWKS", code="unknown_key_id")
        return self._keys[kid].key
