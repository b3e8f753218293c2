"""What alert rules look at, per endpoint: outcomes and dead letters within a window, and the
circuit breaker's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from store.delivery_models import EndpointRuntime
from store.endpoint_models import Endpoint
from store.event_models import Callback

__all__ = ["Outcomes", "breakers_of", "dead_letters", "endpoints_of", "outcomes"]


@dataclass(frozen=True)
class Outcomes:
    delivered: int = 0
    dead_lettered: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.dead_lettered

    @property
    def success_rate(self) -> float:
        return self.delivered / self.total if self.total else 1.0


async def endpoints_of(
    session: AsyncSession, *, tenant_id: str, endpoint_id: str | None
) -> list[str]:
    """The endpoints a rule watches: its one endpoint, or every endpoint of the tenant."""
    statement = select(Endpoint.id).where(Endpoint.tenant_id == tenant_id)
    if endpoint_id is not None:
        statement = statement.where(Endpoint.id == endpoint_id)
    return list((await session.exec(statement)).all())


def _scope(tenant_id: str, endpoint_id: str | None, since: datetime) -> list[Any]:
    scope = [col(Callback.tenant_id) == tenant_id, col(Callback.updated_at) >= since]
    if endpoint_id is not None:
        scope.append(col(Callback.endpoint_id) == endpoint_id)
    return scope


async def outcomes(
    session: AsyncSession, *, tenant_id: str, endpoint_id: str | None, since: datetime
) -> dict[str, Outcomes]:
    """Callbacks that reached delivered or dead_lettered since ``since``, per endpoint."""
    statement = (
        select(Callback.endpoint_id, Callback.status, func.count())
        .where(
            *_scope(tenant_id, endpoint_id, since),
            col(Callback.status).in_(("delivered", "dead_lettered")),
        )
        .group_by(Callback.endpoint_id, Callback.status)
    )
    counts: dict[str, dict[str, int]] = {}
    for endpoint, status, count in (await session.exec(statement)).all():
        counts.setdefault(endpoint, {})[status] = count
    return {
        endpoint: Outcomes(c.get("delivered", 0), c.get("dead_lettered", 0))
        for endpoint, c in counts.items()
    }


async def dead_letters(
    session: AsyncSession, *, tenant_id: str, endpoint_id: str | None, since: datetime
) -> dict[str, int]:
    """Callbacks dead-lettered (and still so) since ``since``, per endpoint."""
    statement = (
        select(Callback.endpoint_id, func.count())
        .where(*_scope(tenant_id, endpoint_id, since), Callback.status == "dead_lettered")
        .group_by(Callback.endpoint_id)
    )
    return {endpoint: count for endpoint, count in (await session.exec(statement)).all()}


async def breakers_of(
    session: AsyncSession, *, endpoint_ids: list[str]
) -> dict[str, tuple[str, datetime | None]]:
    """(state, changed_at) of each endpoint's breaker that ever left closed."""
    if not endpoint_ids:
        return {}
    statement = select(
        EndpointRuntime.endpoint_id,
        EndpointRuntime.breaker_state,
        EndpointRuntime.breaker_changed_at,
    ).where(col(EndpointRuntime.endpoint_id).in_(endpoint_ids))
    return {e: (state, at) for e, state, at in (await session.exec(statement)).all()}
