"""An endpoint's delivery health: circuit breaker state and each target's health."""

from __future__ import annotations

from fastapi import APIRouter

from activities.signed_requests import shown_target
from activities.targeting import target_key
from api.access import CanRead
from api.deps import SessionDep
from api.schemas.engine import (
    BreakerPublic,
    BreakerTransitionPublic,
    EndpointHealth,
    TargetHealthPublic,
)
from store import endpoints as store
from store.breaker import list_transitions
from store.delivery_models import EndpointRuntime
from store.delivery_state import in_flight_by_target, unhealthy_targets
from store.types import utcnow

router = APIRouter(prefix="/v1/endpoints", tags=["endpoints"])


@router.get("/{endpoint_id}/health", response_model=EndpointHealth)
async def endpoint_health(endpoint_id: str, caller: CanRead, session: SessionDep) -> EndpointHealth:
    """The breaker (closed, open, half_open) and which targets get callbacks now."""
    endpoint = await store.get_endpoint(session, endpoint_id=endpoint_id)
    caller.check_tenant(endpoint.tenant_id)
    now = utcnow()
    runtime = await session.get(EndpointRuntime, endpoint_id) or EndpointRuntime(
        endpoint_id=endpoint_id
    )
    sick = await unhealthy_targets(session, endpoint_id=endpoint_id, now=now)
    flights = await in_flight_by_target(session, endpoint_id=endpoint_id, now=now)
    targets = []
    for target in store.delivery_spec(endpoint).targets:
        key = target_key(target)
        row = sick.get(key)
        targets.append(
            TargetHealthPublic(
                url=shown_target(target.url, target.stream),
                weight=target.weight,
                enabled=target.enabled,
                healthy=row is None,
                unhealthy_until=row.unhealthy_until if row else None,
                failures=row.failures if row else 0,
                last_error=row.last_error if row else None,
                in_flight=flights.get(key, 0),
            )
        )
    return EndpointHealth(
        endpoint_id=endpoint_id,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        breaker=BreakerPublic(
            state=runtime.breaker_state,
            changed_at=runtime.breaker_changed_at,
            window_started_at=runtime.window_started_at,
            window_requests=runtime.window_requests,
            window_failures=runtime.window_failures,
            consecutive_failures=runtime.consecutive_failures,
            failing_since=runtime.failing_since,
        ),
        transitions=[
            BreakerTransitionPublic.model_validate(t, from_attributes=True)
            for t in await list_transitions(session, endpoint_id=endpoint_id)
        ],
        targets=targets,
    )
