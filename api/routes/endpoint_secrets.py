"""An endpoint's signing secret: reveal it on purpose, or rotate it with a grace period."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from api.access import CanConfigure
from api.deps import SecretBoxDep, SessionDep
from api.schemas import SecretRevealed, SecretRotate
from core.signing import generate_secret
from store import endpoints as store
from store.audit import record_audit
from store.types import utcnow

router = APIRouter(prefix="/v1/endpoints", tags=["endpoints"])


@router.get("/{endpoint_id}/secret", response_model=SecretRevealed)
async def reveal_secret(
    endpoint_id: str, caller: CanConfigure, session: SessionDep, box: SecretBoxDep
) -> SecretRevealed:
    """The current secret in clear: only for keys that may manage the tenant's endpoints."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    expires = endpoint.previous_secret_expires_at
    await record_audit(
        session,
        actor=caller,
        action="endpoint.secret.reveal",
        resource=endpoint_id,
        tenant_id=endpoint.tenant_id,
    )
    return SecretRevealed(
        endpoint_id=endpoint.id,
        secret=box.open(endpoint.secret, context=endpoint.id),
        previous_secret_expires_at=expires if expires and expires > utcnow() else None,
    )


@router.post("/{endpoint_id}/secret/rotate", response_model=SecretRevealed)
async def rotate_secret(
    endpoint_id: str,
    body: SecretRotate,
    caller: CanConfigure,
    session: SessionDep,
    box: SecretBoxDep,
) -> SecretRevealed:
    """A new secret (given or generated); the old one keeps signing for ``grace_seconds``."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    secret = body.secret or generate_secret()
    expires = utcnow() + timedelta(seconds=body.grace_seconds) if body.grace_seconds else None
    await store.update_endpoint(
        session,
        endpoint_id=endpoint_id,
        changes={
            "secret": box.seal(secret, context=endpoint_id),
            "previous_secret": endpoint.secret if expires else None,
            "previous_secret_expires_at": expires,
        },
        actor=caller.subject,
        action="secret_rotate",
    )
    await record_audit(
        session,
        actor=caller,
        action="endpoint.secret.rotate",
        resource=endpoint_id,
        tenant_id=endpoint.tenant_id,
        summary={
            "secret": "given" if body.secret else "generated",
            "grace_seconds": body.grace_seconds,
        },
    )
    return SecretRevealed(
        endpoint_id=endpoint_id, secret=secret, previous_secret_expires_at=expires
    )
