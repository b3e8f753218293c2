"""The bulk-recovery activity: one page of callbacks retried (or replayed) per call."""

from __future__ import annotations

from sqlmodel import col, select
from temporalio import activity

from core.errors import GoutongError
from core.recovery_contracts import RecoveryPage, RecoveryPageResult
from runtime.callbacks import CallbackControl
from store.db import Database
from store.endpoint_models import Endpoint
from store.linkage import callback_follow_ons
from store.recovery import recoverable_page

__all__ = ["RecoveryActivities"]


class RecoveryActivities:
    def __init__(self, db: Database, control: CallbackControl) -> None:
        self._db = db
        self._control = control

    @activity.defn(name="recover_page")
    async def recover_page(self, page: RecoveryPage) -> RecoveryPageResult:
        """Signals retry_now to each dead letter of the page (a new manual run if its workflow
        has closed) and re-sends delivered ones when asked; safe to run again."""
        scope = page.input
        async with self._db.session() as session:
            callbacks = await recoverable_page(
                session, scope=scope, after=page.cursor, limit=scope.page_size
            )
            endpoint_ids = {c.endpoint_id for c in callbacks}
            rows = await session.exec(select(Endpoint).where(col(Endpoint.id).in_(endpoint_ids)))
            endpoints = {e.id: e for e in rows.all()}
            follow_ons = await callback_follow_ons(session, callbacks=callbacks, events={})
        retried = skipped = 0
        for callback in callbacks:
            endpoint = endpoints.get(callback.endpoint_id)
            try:
                if callback.status == "delivered":
                    done = await self._control.replay(
                        callback, endpoint, follow_ons.get(callback.id)
                    )
                else:
                    await self._control.retry(
                        callback, endpoint, scope.actor, follow_ons.get(callback.id)
                    )
                    done = True
            except GoutongError:
                done = False
            retried, skipped = retried + done, skipped + (not done)
            activity.heartbeat(callback.id)
        full = len(callbacks) == scope.page_size
        return RecoveryPageResult(
            processed=len(callbacks),
            retried=retried,
            skipped=skipped,
            next_cursor=callbacks[-1].id if full else None,
        )
