"""The signed request of one try: the envelope of a callback, its body in the endpoint's
format, and the headers (custom, receiver auth, Standard Webhooks signatures) around it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from activities.adapters import Delivery
from activities.receiver_auth import ReceiverAuth
from core.delivery_contracts import DeliveryTarget
from core.envelope import build_envelope, render_json, render_xml
from core.secret_box import SecretBox
from core.signing import signature_headers
from store.callbacks import DeliveryContext
from store.endpoint_models import Endpoint

__all__ = ["SignedRequests", "envelope_of", "shown_target"]


class SignedRequests:
    """Builds signed deliveries; secrets are opened here, in the worker, per request."""

    def __init__(self, box: SecretBox, user_agent: str) -> None:
        self._box = box
        self._auth = ReceiverAuth(box)
        self._user_agent = user_agent

    @staticmethod
    def body(endpoint: Endpoint, envelope: dict[str, Any]) -> bytes:
        """The envelope in the endpoint's payload format (JSON or XML)."""
        render = render_xml if endpoint.payload_format == "xml" else render_json
        return render(envelope)

    def delivery(
        self, endpoint: Endpoint, msg_id: str, body: bytes, target: DeliveryTarget
    ) -> Delivery:
        """The signed request of ``body`` (``msg_id`` is its ``webhook-id``)."""
        headers = {
            **endpoint.headers,
            **self._auth.headers(endpoint),
            "content-type": f"application/{endpoint.payload_format}",
            "user-agent": self._user_agent,
            **signature_headers(self._secrets(endpoint), msg_id, int(time.time()), body),
        }
        return Delivery(
            endpoint_id=endpoint.id,
            url=target.url,
            body=body,
            headers=headers,
            timeout_seconds=endpoint.timeout_seconds,
            stream=target.stream,
            tls=self._auth.tls(endpoint),
        )

    def _secrets(self, endpoint: Endpoint) -> list[str]:
        """The current secret, and the previous one while its grace period lasts."""
        secrets = [self._box.open(endpoint.secret, context=endpoint.id)]
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and expires and expires > datetime.now(UTC):
            secrets.append(self._box.open(endpoint.previous_secret, context=endpoint.id))
        return secrets


def envelope_of(ctx: DeliveryContext) -> dict[str, Any]:
    """The wire envelope of the callback's event (docs/receiving.md)."""
    return build_envelope(
        callback_id=ctx.callback.id,
        event_id=ctx.event.id,
        tenant_id=ctx.event.tenant_id,
        event_type=ctx.event.type,
        message_id=ctx.event.message_id,
        occurred_at=ctx.event.occurred_at,
        data=ctx.event.data,
        metadata=ctx.event.meta,
        type_version=ctx.event.type_version,
    )


def shown_target(url: str, stream: str | None) -> str:
    """The target as the attempt log shows it: no credentials, the stream of a queue."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    shown = urlunsplit(parts._replace(netloc=netloc))
    return f"{shown}#{stream}" if stream else shown
