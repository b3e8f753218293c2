"""Pages of callbacks a bulk recovery works through (ids ascending, so it can resume)."""

from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from core.recovery_contracts import RecoveryInput
from store.event_models import Callback

__all__ = ["count_recoverable", "recoverable_page"]


def _matching(scope: RecoveryInput) -> SelectOfScalar[Callback]:
    statuses = ["dead_lettered", "delivered"] if scope.include_delivered else ["dead_lettered"]
    statement = select(Callback).where(col(Callback.status).in_(statuses))
    if scope.tenant_id is not None:
        statement = statement.where(col(Callback.tenant_id) == scope.tenant_id)
    if scope.endpoint_id is not None:
        statement = statement.where(col(Callback.endpoint_id) == scope.endpoint_id)
    if scope.event_type is not None:
        statement = statement.where(col(Callback.event_type) == scope.event_type)
    if scope.since is not None:
        statement = statement.where(col(Callback.created_at) >= scope.since)
    if scope.until is not None:
        statement = statement.where(col(Callback.created_at) < scope.until)
    return statement


async def recoverable_page(
    session: AsyncSession, *, scope: RecoveryInput, after: str | None, limit: int
) -> list[Callback]:
    statement = _matching(scope)
    if after is not None:
        statement = statement.where(col(Callback.id) > after)
    return list((await session.exec(statement.order_by(col(Callback.id)).limit(limit))).all())


async def count_recoverable(session: AsyncSession, *, scope: RecoveryInput) -> int:
    inner = _matching(scope).subquery()
    return int((await session.exec(select(func.count()).select_from(inner))).one())
