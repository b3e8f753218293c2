"""Rules an endpoint's whole configuration must satisfy, beyond what each field checks alone.

Each broken rule raises ``InvalidInput`` with its own code, so a caller can tell them apart.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from core.errors import InvalidInput

__all__ = ["check_endpoint_config", "check_tls_material"]

_SCHEMES = {"http": ("http", "https"), "https": ("https",), "redis_stream": ("redis", "rediss")}


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].lower()


def _check_targets(protocol: str, targets: list[dict[str, Any]]) -> None:
    seen: set[tuple[str, str | None]] = set()
    for index, target in enumerate(targets):
        where = f"targets[{index}]"
        if _scheme(target["url"]) not in _SCHEMES[protocol]:
            allowed = " or ".join(f"{s}://" for s in _SCHEMES[protocol])
            raise InvalidInput(
                f"{where}: a {protocol} endpoint needs {allowed} URLs",
                code="target_scheme_mismatch",
            )
        stream = target.get("stream")
        if protocol == "redis_stream" and not stream:
            raise InvalidInput(
                f"{where}: a redis_stream target names a stream", code="stream_required"
            )
        if protocol != "redis_stream" and stream:
            raise InvalidInput(
                f"{where}: only redis_stream targets have a stream", code="stream_not_allowed"
            )
        key = (target["url"], stream)
        if key in seen:
            raise InvalidInput(f"{where}: the same target twice", code="duplicate_target")
        seen.add(key)
    if not any(t.get("enabled", True) for t in targets):
        raise InvalidInput("at least one target must be enabled", code="no_enabled_target")


def check_endpoint_config(config: dict[str, Any]) -> None:
    """Checks the merged configuration (protocol, targets, auth type, headers, batch, health
    check)."""
    protocol = config["protocol"]
    targets = config["targets"]
    _check_targets(protocol, targets)
    auth_type = config["auth"].get("type", "none")
    if protocol == "redis_stream" and (auth_type != "none" or config["auth"].get("ca_bundle")):
        raise InvalidInput(
            "a redis_stream endpoint takes its credentials in the Redis URL; auth must be none",
            code="auth_not_supported",
        )
    if protocol == "redis_stream" and config["headers"]:
        raise InvalidInput(
            "custom headers apply to HTTP endpoints only", code="headers_not_supported"
        )
    _check_batch(protocol, config.get("payload_format", "json"), config.get("batch"))
    if protocol == "redis_stream" and config.get("health_check"):
        raise InvalidInput(
            "active health checks apply to HTTP endpoints only",
            code="health_check_not_supported",
        )
    if auth_type == "mtls" and any(_scheme(t["url"]) != "https" for t in targets):
        raise InvalidInput("mTLS needs https:// targets only", code="mtls_needs_https")
    if auth_type in ("basic", "bearer") and any(
        name.lower() == "authorization" for name in config["headers"]
    ):
        raise InvalidInput(
            f"Authorization is set by the {auth_type} receiver auth; drop it from headers",
            code="header_conflicts_with_auth",
        )


def _check_batch(protocol: str, payload_format: str, batch: dict[str, Any] | None) -> None:
    """A batch is one POST whose body is a JSON array: HTTP(S) and JSON only."""
    if batch is None:
        return
    if protocol == "redis_stream":
        raise InvalidInput(
            "batched delivery is for http and https endpoints (a stream entry is one event)",
            code="batch_needs_http",
        )
    if payload_format != "json":
        raise InvalidInput(
            "batched delivery sends a JSON array; it cannot go with payload_format xml",
            code="batch_needs_json",
        )


def check_tls_material(
    *, client_cert: str | None, client_key: str | None, ca_bundle: str | None
) -> None:
    """Refuses PEM text that does not parse, and a client key that is not the certificate's."""
    certificate = None
    if client_cert is not None:
        try:
            certificate = x509.load_pem_x509_certificate(client_cert.encode())
        except ValueError as exc:
            raise InvalidInput(
                "client_cert is not a PEM X.509 certificate", code="invalid_certificate"
            ) from exc
    if client_key is not None:
        try:
            key = serialization.load_pem_private_key(client_key.encode(), password=None)
        except (ValueError, TypeError) as exc:
            raise InvalidInput(
                "client_key is not an unencrypted PEM private key", code="invalid_private_key"
            ) from exc
        if certificate is not None and _public_der(key.public_key()) != _public_der(
            certificate.public_key()
        ):
            raise InvalidInput(
                "client_key does not belong to client_cert", code="certificate_key_mismatch"
            )
    if ca_bundle is not None:
        try:
            if not x509.load_pem_x509_certificates(ca_bundle.encode()):
                raise ValueError("empty")
        except ValueError as exc:
            raise InvalidInput(
                "ca_bundle holds no PEM X.509 certificate", code="invalid_ca_bundle"
            ) from exc


def _public_der(key: Any) -> bytes:
    der: bytes = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der
