"""The delivery activity: load, sign, send, record, and decide whether Temporal retries."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.adapters import Adapter, Delivery, SendOutcome
from activities.batching import Batcher, BatchKey, BatchResult
from activities.breaker import CircuitBreaker
from activities.limits import RateLimiter
from activities.share import SlotShare
from activities.signed_requests import SignedRequests, envelope_of, shown_target
from activities.targeting import TargetPicker, hash_key_of, is_target_fault
from core.delivery_contracts import (
    AttemptReport,
    BatchSpec,
    DeliveryRequest,
    DeliveryResult,
    DeliveryTarget,
    EndpointDeliverySpec,
)
from core.envelope import render_json
from core.masking import Masker, rules_from_settings
from core.retry import DEFERRED_ERROR, FAIL_FAST_ERROR, delay_before_attempt, parse_retry_after
from core.secret_box import SecretBox
from core.settings import Settings
from runtime.logs import log_context
from runtime.metrics import Metrics, status_class
from runtime.tracing import Tracing
from store.callbacks import DeliveryContext
from store.db import Database
from store.delivery_batches import DeliveryBatches
from store.endpoints import delivery_spec
from store.event_models import Attempt

if TYPE_CHECKING:  # runtime.callbacks imports the workflows, which import this module
    from runtime.callbacks import CallbackControl

__all__ = ["DeliveryActivities"]

log = logging.getLogger(__name__)
_RETRY_AFTER_CODES = (429, 503)
_CONCURRENCY_WAIT = timedelta(seconds=1)  # a full endpoint is asked again this much later


class DeliveryActivities:
    def __init__(
        self,
        *,
        db: Database,
        adapters: dict[str, Adapter],
        picker: TargetPicker,
        breaker: CircuitBreaker,
        client: Client,
        settings: Settings,
        control: CallbackControl | None = None,
        box: SecretBox,
        metrics: Metrics,
        tracing: Tracing | None = None,
    ) -> None:
        self._metrics = metrics
        self._tracing = tracing or Tracing()
        self._adapters = adapters
        self._picker = picker
        self._breaker = breaker
        self._rate = RateLimiter(db)
        self._share = SlotShare.from_settings(settings)
        self._requests = SignedRequests(box, settings.user_agent)
        self._client = client
        self._control = control
        self._settings = settings
        self._masker = Masker(rules_from_settings(settings))
        self._batcher = Batcher()
        self._store = DeliveryBatches(db)  # concurrent tries share their reads and writes

    @activity.defn(name="deliver")
    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """One try of a callback; raises ApplicationError so Temporal retries (or not)."""
        info = activity.info()
        attempt = request.attempt_offset + info.attempt
        trigger = request.trigger if info.attempt == 1 else "scheduled"
        ctx = await self._store.context(request.callback_id)
        log_context.set(
            {"tenant_id": ctx.callback.tenant_id, "endpoint_id": ctx.callback.endpoint_id}
        )
        if ctx.callback.status == "delivered" and not (request.target_url or request.force):
            return DeliveryResult(ctx.callback.attempts, ctx.callback.last_status_code or 200, 0)
        # a local first try lost with its worker is run again: number it after what is recorded
        attempt = max(attempt, ctx.callback.attempts + 1)
        if ctx.endpoint is None or (not ctx.endpoint.enabled and request.target_url is None):
            reason = "endpoint deleted" if ctx.endpoint is None else "endpoint disabled"
            report = AttemptReport(attempt=attempt - 1, error=reason)
            raise ApplicationError(reason, report, type=FAIL_FAST_ERROR, non_retryable=True)
        spec = delivery_spec(ctx.endpoint)
        gate = self._breaker.unasked(ctx.breaker)
        if request.target_url is None and not request.force and trigger == "scheduled":
            gate = await self._breaker.admit(spec.endpoint_id, ctx.breaker)
            if gate.retry_at is not None:
                raise self._wait(attempt, "circuit open", gate.retry_at, "circuit")
        limited = request.target_url is None  # a redirect goes elsewhere: no limits
        if limited and spec.rate_limit is not None:
            reserved = request.slot_reserved and info.attempt == 1
            slot = None if reserved else await self._rate.slot(spec.endpoint_id, spec.rate_limit)
            if slot is not None:
                raise self._wait(attempt, "rate limited", slot, "rate")
        kind = "local" if info.is_local else "retry"
        shared = limited and spec.batch is None  # a batch's tries wait together, on purpose
        if shared and not self._share.take(kind, spec.endpoint_id):
            again = datetime.now(UTC) + _CONCURRENCY_WAIT
            raise self._wait(attempt, "endpoint's share of the worker in use", again, "concurrency")
        try:
            envelope = envelope_of(ctx)
            targets, protocol = _targets_of(spec, request.target_url)
            picked = await self._picker.pick(
                endpoint_id=spec.endpoint_id,
                strategy=spec.strategy,
                targets=targets,
                hash_key=hash_key_of(envelope, spec.hash_key),
                max_in_flight=spec.max_in_flight if limited else None,
            )
            if picked is None:
                again = datetime.now(UTC) + _CONCURRENCY_WAIT
                raise self._wait(attempt, "concurrency limit reached", again, "concurrency")
            batch: BatchResult | None = None
            if spec.batch is not None and request.target_url is None:
                batch = await self._send_batched(ctx, envelope, picked.target, protocol, spec.batch)
                outcome = batch.outcome
                if batch.first:
                    self._metrics.batch_size.observe(batch.size)
            else:
                outcome = await self._send(ctx, envelope, picked.target, protocol)
            await self._picker.finish(
                picked, endpoint_id=spec.endpoint_id, single=len(targets) == 1, outcome=outcome
            )
            speaks = batch is None or batch.first  # one POST counts once, however many it carried
            if request.target_url is None and speaks:
                await self._breaker.record(spec.endpoint_id, gate, failed=is_target_fault(outcome))
            if outcome.status_code == 410 and speaks:
                await self._gone(spec.endpoint_id)
            url = shown_target(picked.target.url, picked.target.stream)
            batch_id = batch.batch_id if batch else None
            return await self._conclude(request, ctx, attempt, trigger, url, outcome, batch_id)
        finally:
            if shared:
                self._share.release(kind, spec.endpoint_id)

    async def _send(
        self, ctx: DeliveryContext, envelope: dict[str, Any], target: DeliveryTarget, protocol: str
    ) -> SendOutcome:
        endpoint = ctx.endpoint
        assert endpoint is not None
        body = self._requests.body(endpoint, envelope)
        delivery = self._requests.delivery(endpoint, ctx.callback.id, body, target)
        return await self._post(delivery, protocol)

    async def _send_batched(
        self,
        ctx: DeliveryContext,
        envelope: dict[str, Any],
        target: DeliveryTarget,
        protocol: str,
        spec: BatchSpec,
    ) -> BatchResult:
        """Rides in the next POST of a JSON array to this target (activities.batching); its
        ``webhook-id`` is the batch's id and the signature covers the exact array body."""
        endpoint = ctx.endpoint
        assert endpoint is not None

        async def post(batch_id: str, body: bytes) -> SendOutcome:
            delivery = self._requests.delivery(endpoint, batch_id, body, target)
            return await self._post(delivery, protocol)

        key = BatchKey(endpoint.id, endpoint.revision, target.url)
        return await self._batcher.submit(key, spec, render_json(envelope), post)

    async def _post(self, delivery: Delivery, protocol: str) -> SendOutcome:
        # the POST's span; its traceparent goes to the receiver (a stream entry's field)
        with self._tracing.delivery(delivery.url, delivery.headers, stream=delivery.stream) as span:
            outcome = await self._adapters[protocol].send(delivery)
            span.outcome(status_code=outcome.status_code, error=outcome.error)
        return outcome

    async def _gone(self, endpoint_id: str) -> None:
        """410 Gone: the receiver says the endpoint is no more; disable it at once, and tell
        the tenant's operations endpoints (``endpoint.disabled``)."""
        await self._breaker.disable(endpoint_id, "the receiver answered 410 Gone", cause="gone")

    def _wait(self, attempt: int, reason: str, until: datetime, kind: str) -> ApplicationError:
        self._metrics.throttled_waits.labels(kind).inc()
        return _deferred(attempt, reason, until, kind)

    async def _conclude(
        self,
        request: DeliveryRequest,
        ctx: DeliveryContext,
        attempt: int,
        trigger: str,
        url: str,
        outcome: SendOutcome,
        batch_id: str | None = None,
    ) -> DeliveryResult:
        record = Attempt(
            id="",
            callback_id=ctx.callback.id,
            attempt=attempt,
            trigger=trigger,
            target_url=url,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            response_excerpt=self._masker.excerpt(
                outcome.excerpt, self._settings.response_excerpt_bytes
            ),
            error=self._masker.text(outcome.error) if outcome.error else None,
            batch_id=batch_id,
        )
        self._metrics.attempts.labels(status_class(outcome.status_code), trigger).inc()
        self._metrics.attempt_seconds.observe(outcome.duration_ms / 1000)
        if outcome.ok:
            self._metrics.outcomes.labels("delivered").inc()
            self._metrics.attempts_per_delivery.observe(attempt)
            waited = datetime.now(UTC) - ctx.event.received_at
            self._metrics.accept_to_delivery.observe(max(0.0, waited.total_seconds()))
            await self._store.record(record, status="delivered", next_attempt_at=None)
            assert outcome.status_code is not None
            return DeliveryResult(attempt, outcome.status_code, outcome.duration_ms)

        fail_fast = (
            not outcome.retryable or outcome.status_code in self._settings.fail_fast_status_codes
        )
        retry_after = None
        if outcome.status_code in _RETRY_AFTER_CODES:
            retry_after = parse_retry_after(
                outcome.retry_after,
                now=time.time(),
                cap_seconds=self._settings.retry_after_max_seconds,
            )
        try_no = activity.info().attempt
        delay = retry_after or delay_before_attempt(request.retry, attempt + 1)
        next_at = datetime.now(UTC) + timedelta(seconds=delay)
        will_retry = not fail_fast and try_no < request.max_attempts and next_at < request.deadline
        error = record.error or "failed"
        await self._store.record(
            record,
            status="retrying" if will_retry else ctx.callback.status,
            next_attempt_at=next_at if will_retry else None,
        )
        report = AttemptReport(
            attempt=attempt,
            error=error,
            status_code=outcome.status_code,
            next_attempt_at=next_at if will_retry else None,
        )
        if will_retry and not activity.info().is_local:  # a local try reports by its result
            await self._report(report)
        raise ApplicationError(
            error,
            report,
            type=FAIL_FAST_ERROR if fail_fast else "DeliveryFailed",
            non_retryable=not will_retry,
            next_retry_delay=timedelta(seconds=retry_after) if retry_after and will_retry else None,
        )

    async def _report(self, report: AttemptReport) -> None:
        """Tells the workflow about a failed try (best effort: the store has it anyway)."""
        info = activity.info()
        try:
            assert info.workflow_id is not None
            handle = self._client.get_workflow_handle(info.workflow_id, run_id=info.workflow_run_id)
            await handle.signal("attempt_failed", report, rpc_timeout=timedelta(seconds=5))
        except Exception as exc:  # a lost report only makes the status query less precise
            log.warning("could not report attempt %s: %s", report.attempt, type(exc).__name__)


def _targets_of(
    spec: EndpointDeliverySpec, redirect_url: str | None
) -> tuple[list[DeliveryTarget], str]:
    """The targets to balance over and their protocol; a redirect is one HTTP target."""
    if redirect_url is not None:
        return [DeliveryTarget(url=redirect_url)], "http"
    return spec.enabled_targets() or spec.targets, spec.protocol


def _deferred(attempt: int, reason: str, until: datetime, kind: str) -> ApplicationError:
    """Nothing was sent and no attempt is spent: the workflow waits until ``until``."""
    report = AttemptReport(attempt - 1, reason, next_attempt_at=until, deferral=kind)
    return ApplicationError(reason, report, type=DEFERRED_ERROR, non_retryable=True)
