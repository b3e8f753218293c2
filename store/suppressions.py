"""The suppression list: recipients a tenant's messages must no longer go to."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import NotFound
from core.ids import new_id
from store.linkage_models import Suppression
from store.pagination import Page, paginate, to_page

__all__ = ["find_suppression", "list_suppressions", "remove_suppression", "suppress"]


async def find_suppression(
    session: AsyncSession, *, tenant_id: str, recipient: str
) -> Suppression | None:
    statement = select(Suppression).where(
        Suppression.tenant_id == tenant_id, Suppression.recipient == recipient
    )
    return (await session.exec(statement)).first()


async def suppress(
    session: AsyncSession,
    *,
    tenant_id: str,
    recipient: str,
    reason: str,
    channel: str | None = None,
    source: str = "manual",
) -> tuple[Suppression, bool]:
    """Adds the recipient once; ``(entry, created)``, the existing entry when already listed."""
    existing = await find_suppression(session, tenant_id=tenant_id, recipient=recipient)
    if existing is not None:
        return existing, False
    entry = Suppression(
        id=new_id("sup"),
        tenant_id=tenant_id,
        recipient=recipient,
        channel=channel,
        reason=reason,
        source=source,
    )
    session.add(entry)
    try:
        await session.commit()
    except IntegrityError:  # a concurrent add of the same recipient won
        await session.rollback()
        winner = await find_suppression(session, tenant_id=tenant_id, recipient=recipient)
        assert winner is not None
        return winner, False
    return entry, True


async def list_suppressions(
    session: AsyncSession, *, tenant_id: str | None, cursor: str | None = None, limit: int = 50
) -> Page[Suppression]:
    statement = select(Suppression)
    if tenant_id is not None:
        statement = statement.where(Suppression.tenant_id == tenant_id)
    rows = (
        await session.exec(paginate(statement, Suppression.id, cursor=cursor, limit=limit))
    ).all()
    return to_page(list(rows), limit=limit, id_of=lambda s: s.id)


async def remove_suppression(session: AsyncSession, *, suppression_id: str) -> Suppression:
    entry = await session.get(Suppression, suppression_id)
    if entry is None:
        raise NotFound(f"suppression {suppression_id} not found", code="suppression_not_found")
    await session.delete(entry)
    await session.commit()
    return entry
