"""Endpoint secrets at rest: AES-256-GCM under a key from the settings (or data/secrets.key)."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SEALED_PREFIX", "SecretBox", "SecretBoxError", "new_key"]

SEALED_PREFIX = "gtenc:v1:"


class SecretBoxError(Exception):
    """A sealed value that this key cannot open (wrong key, or tampered with)."""


def new_key() -> str:
    """A new key: base64 of 32 random bytes (the form GOUTONG_SECRETS_KEY takes)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


class SecretBox:
    """Seals and opens small secrets; the endpoint id is bound in as associated data, so a
    sealed secret copied to another endpoint does not open."""

    def __init__(self, key_b64: str) -> None:
        key = base64.b64decode(key_b64, validate=True)
        if len(key) != 32:
            raise ValueError("GOUTONG_SECRETS_KEY must be base64 of 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, plain: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode(), context.encode())
        return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, stored: str, *, context: str) -> str:
        if not stored.startswith(SEALED_PREFIX):
            return stored  # written before encryption at rest: readable, sealed on next write
        raw = base64.b64decode(stored[len(SEALED_PREFIX) :])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag as exc:
            raise SecretBoxError("cannot open a sealed secret: wrong GOUTONG_SECRETS_KEY?") from exc
