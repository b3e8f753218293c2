"""Starting, signalling and querying CallbackWorkflows; used by the API (and the CLI)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.callback_contracts import (
    CallbackInput,
    CallbackState,
    CallbackStatus,
    FollowOnSpec,
    Intervention,
    RetrySpec,
    StatusQuery,
)
from core.errors import CallbackClosed, ServiceUnavailable
from core.settings import Settings
from store.endpoint_models import Endpoint
from store.event_models import Callback
from workflows.callback import CallbackWorkflow

__all__ = ["CallbackControl"]

log = logging.getLogger(__name__)
RETRY_PRIORITY = 4  # retries behind fresh work (Temporal's default priority key is 3)


def callback_input(
    callback: Callback,
    endpoint: Endpoint,
    settings: Settings,
    follow_ons: list[FollowOnSpec] | None = None,
) -> CallbackInput:
    isolation = settings.retry_isolation
    return CallbackInput(
        callback_id=callback.id,
        tenant_id=callback.tenant_id,
        endpoint_id=callback.endpoint_id,
        event_id=callback.event_id,
        event_type=callback.event_type,
        message_id=callback.message_id,
        retry=RetrySpec(**endpoint.retry),
        timeout_seconds=endpoint.timeout_seconds,
        dead_letter_retention_seconds=settings.dead_letter_retention_days * 86400,
        follow_ons=follow_ons or [],
        retry_task_queue=settings.retry_task_queue() if isolation == "queue" else None,
        retry_priority_key=RETRY_PRIORITY if isolation == "priority" else None,
        retry_fairness=settings.retry_fairness,
    )


class CallbackControl:
    """A lazily connected Temporal client plus the few operations the gateway needs."""

    def __init__(
        self,
        settings: Settings,
        connect: Callable[[Settings], Awaitable[Client]],
        *,
        eager: bool = False,
    ):
        """``eager``: a worker on this client polls the task queue in this process, so new
        callbacks are started with ``request_eager_start`` (their first workflow task comes
        back in the start response, no matching round trip)."""
        self._settings = settings
        self._connect = connect
        self._eager = eager
        self.eager_starts = 0  # starts whose first workflow task came back with the response
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings

    async def client(self) -> Client:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    try:
                        self._client = await self._connect(self._settings)
                    except Exception as exc:
                        raise ServiceUnavailable(
                            f"Temporal is not reachable at {self._settings.temporal_address}",
                            code="temporal_unavailable",
                        ) from exc
        return self._client

    async def start(
        self,
        pairs: list[tuple[Callback, Endpoint]],
        follow_ons: Mapping[str, list[FollowOnSpec]] | None = None,
    ) -> None:
        """Starts one workflow per callback (with its follow-ons, by callback id); starting one
        that exists is a no-op."""
        follow_ons = follow_ons or {}
        client = await self.client()
        limit = asyncio.Semaphore(self._settings.workflow_start_concurrency)

        async def start_one(callback: Callback, endpoint: Endpoint) -> None:
            async with limit:
                input = callback_input(
                    callback, endpoint, self._settings, follow_ons.get(callback.id)
                )
                await self._start(client, input)

        try:
            await asyncio.gather(*(start_one(c, e) for c, e in pairs))
        except RPCError as exc:
            raise ServiceUnavailable(
                f"could not start callbacks: {exc.message}", code="temporal_unavailable"
            ) from exc

    async def _start(self, client: Client, input: CallbackInput, *, rerun: bool = False) -> None:
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(sa.TENANT, input.tenant_id),
                SearchAttributePair(sa.ENDPOINT, input.endpoint_id),
                SearchAttributePair(sa.EVENT_TYPE, input.event_type),
                SearchAttributePair(sa.MESSAGE_ID, input.message_id),
                SearchAttributePair(sa.STATUS, CallbackState.PENDING),
            ]
        )
        try:
            handle = await client.start_workflow(
                CallbackWorkflow.run,
                input,
                id=input.callback_id,
                task_queue=self._settings.temporal_task_queue,
                id_reuse_policy=(
                    WorkflowIDReusePolicy.ALLOW_DUPLICATE
                    if rerun
                    else WorkflowIDReusePolicy.REJECT_DUPLICATE
                ),
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                search_attributes=attributes,
                request_eager_start=self._eager and not rerun,
            )
            if getattr(handle, "__temporal_eagerly_started", False):  # set by the SDK
                self.eager_starts += 1
        except WorkflowAlreadyStartedError:
            pass  # closed already: the same callback is never delivered twice by a replay

    async def handle(self, callback_id: str) -> WorkflowHandle:
        return (await self.client()).get_workflow_handle(callback_id)

    async def signal(self, callback: Callback, name: str, arg: object) -> None:
        handle = await self.handle(callback.id)
        try:
            await handle.signal(name, arg)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                raise CallbackClosed(
                    f"callback {callback.id} is {callback.status}; its workflow has closed",
                ) from exc
            raise ServiceUnavailable(exc.message, code="temporal_unavailable") from exc

    async def retry(
        self,
        callback: Callback,
        endpoint: Endpoint | None,
        actor: str,
        follow_ons: list[FollowOnSpec] | None = None,
    ) -> None:
        """retry_now for a running callback; a new manual run for a closed dead letter."""
        try:
            await self.signal(callback, "retry_now", Intervention(actor=actor))
        except CallbackClosed:
            if callback.status != CallbackState.DEAD_LETTERED or endpoint is None:
                raise
            input = callback_input(callback, endpoint, self._settings, follow_ons)
            input.manual_only = True
            await self._start(await self.client(), input, rerun=True)

    async def replay(
        self,
        callback: Callback,
        endpoint: Endpoint | None,
        follow_ons: list[FollowOnSpec] | None = None,
    ) -> bool:
        """Sends a closed callback once more (same webhook-id); False when it cannot."""
        if endpoint is None:
            return False
        input = callback_input(callback, endpoint, self._settings, follow_ons)
        input.manual_only = True
        await self._start(await self.client(), input, rerun=True)
        return True

    async def status(self, callback_id: str) -> CallbackStatus | None:
        """The live status query, or None when the workflow is closed or unreachable."""
        try:
            handle = await self.handle(callback_id)
            description = await handle.describe()
            if description.status is None or description.status.name != "RUNNING":
                return None
            return await handle.query(CallbackWorkflow.status, StatusQuery())
        except (RPCError, ServiceUnavailable) as exc:
            log.info("status query for %s failed: %s", callback_id, exc)
            return None
