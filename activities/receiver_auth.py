"""What an endpoint's receiver authentication adds to a try: an Authorization header (basic,
bearer) and the TLS configuration (mTLS client certificate and key, custom CA)."""

from __future__ import annotations

import base64
import json
from typing import Any

from activities.adapters.base import TlsConfig
from core.secret_box import SecretBox
from store.endpoint_models import Endpoint
from store.endpoints import auth_context

__all__ = ["ReceiverAuth"]


class ReceiverAuth:
    """Opens an endpoint's sealed receiver credentials (in the worker, never in history)."""

    def __init__(self, box: SecretBox) -> None:
        self._box = box

    def _secret(self, endpoint: Endpoint) -> dict[str, Any]:
        if not endpoint.auth_secret:
            return {}
        opened = self._box.open(endpoint.auth_secret, context=auth_context(endpoint.id))
        secret: dict[str, Any] = json.loads(opened)
        return secret

    def headers(self, endpoint: Endpoint) -> dict[str, str]:
        """Authorization for basic and bearer receiver auth."""
        auth = endpoint.auth or {}
        kind = auth.get("type", "none")
        if kind not in ("basic", "bearer"):
            return {}
        secret = self._secret(endpoint)
        if kind == "bearer" and "token" in secret:
            return {"authorization": f"Bearer {secret['token']}"}
        if kind == "basic" and "password" in secret:
            pair = f"{auth.get('username', '')}:{secret['password']}".encode()
            return {"authorization": f"Basic {base64.b64encode(pair).decode()}"}
        return {}

    def tls(self, endpoint: Endpoint) -> TlsConfig | None:
        """The client certificate and key (mTLS) and the CA bundle, when the endpoint has any."""
        auth = endpoint.auth or {}
        cert, ca = auth.get("client_cert"), auth.get("ca_bundle")
        if not cert and not ca:
            return None
        key = self._secret(endpoint).get("client_key") if cert else None
        return TlsConfig(client_cert=cert, client_key=key, ca_bundle=ca)
