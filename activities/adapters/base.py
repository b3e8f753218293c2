"""The one small interface every protocol adapter implements, and what it is given."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from activities.sender import SendOutcome

__all__ = ["Adapter", "Delivery", "SendOutcome", "TlsConfig"]


@dataclass(frozen=True)
class TlsConfig:
    """What an endpoint asks of TLS: a client certificate and key (mTLS), a CA bundle (PEM)."""

    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None

    def fingerprint(self) -> str:
        """Identifies the configuration (pools are per endpoint and TLS configuration)."""
        raw = "\0".join(part or "" for part in (self.client_cert, self.client_key, self.ca_bundle))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Delivery:
    """One signed callback to one target, as an adapter sends it."""

    endpoint_id: str
    url: str
    body: bytes
    headers: dict[str, str]  # content type, receiver auth, custom and signature headers
    timeout_seconds: float
    stream: str | None = None  # a queue target's stream name
    tls: TlsConfig | None = None


class Adapter(Protocol):
    """Sends a Delivery and reports what happened; never raises for a receiver's fault."""

    async def send(self, delivery: Delivery) -> SendOutcome: ...

    async def aclose(self) -> None: ...
