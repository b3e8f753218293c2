"""The delivery activity: load, sign, send, record, and decide whether Temporal retries."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.sender import HttpSender, SendOutcome
from core.contracts import AttemptReport, DeliveryRequest, DeliveryResult
from core.envelope import build_envelope, render_json, render_xml
from core.masking import Masker, rules_from_settings
from core.retry import FAIL_FAST_ERROR, delay_before_attempt, parse_retry_after
from core.secret_box import SecretBox
from core.settings import Settings
from core.signing import signature_headers
from runtime.logs import log_context
from runtime.metrics import Metrics, status_class
from store.callbacks import DeliveryContext, load_delivery_context, record_attempt
from store.db import Database
from store.endpoints import auth_context, delivery_spec
from store.models import Attempt, Endpoint

__all__ = ["DeliveryActivities"]

log = logging.getLogger(__name__)
_RETRY_AFTER_CODES = (429, 503)


class DeliveryActivities:
    def __init__(
        self,
        *,
        db: Database,
        sender: HttpSender,
        client: Client,
        settings: Settings,
        box: SecretBox,
        metrics: Metrics,
    ) -> None:
        self._metrics = metrics
        self._db = db
        self._box = box
        self._sender = sender
        self._client = client
        self._settings = settings
        self._masker = Masker(rules_from_settings(settings))

    @activity.defn(name="deliver")
    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """One try of a callback; raises ApplicationError so Temporal retries (or not)."""
        info = activity.info()
        attempt = request.attempt_offset + info.attempt
        trigger = request.trigger if info.attempt == 1 else "scheduled"
        async with self._db.session() as session:
            ctx = await load_delivery_context(session, callback_id=request.callback_id)
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
        url = request.target_url or self._target(ctx.endpoint, attempt)
        outcome = await self._send(ctx, url)
        return await self._conclude(request, ctx, attempt, trigger, url, outcome)

    def _target(self, endpoint: Endpoint, attempt: int) -> str:
        """The first enabled target, until the balancing engine spreads callbacks (issue 4)."""
        spec = delivery_spec(endpoint)
        if spec.protocol == "redis_stream":
            reason = "redis_stream delivery is not available yet"
            report = AttemptReport(attempt=attempt - 1, error=reason)
            raise ApplicationError(reason, report, type=FAIL_FAST_ERROR, non_retryable=True)
        return (spec.enabled_targets() or spec.targets)[0].url

    def _auth_headers(self, endpoint: Endpoint) -> dict[str, str]:
        """Authorization for basic and bearer receiver auth (mTLS comes with issue 4)."""
        kind = (endpoint.auth or {}).get("type", "none")
        if kind not in ("basic", "bearer") or not endpoint.auth_secret:
            return {}
        secret = json.loads(self._box.open(endpoint.auth_secret, context=auth_context(endpoint.id)))
        if kind == "bearer":
            return {"authorization": f"Bearer {secret['token']}"}
        pair = f"{endpoint.auth['username']}:{secret['password']}".encode()
        return {"authorization": f"Basic {base64.b64encode(pair).decode()}"}

    async def _send(self, ctx: DeliveryContext, url: str) -> SendOutcome:
        endpoint = ctx.endpoint
        assert endpoint is not None
        render = render_xml if endpoint.payload_format == "xml" else render_json
        body = render(
            build_envelope(
                callback_id=ctx.callback.id,
                event_id=ctx.event.id,
                tenant_id=ctx.event.tenant_id,
                event_type=ctx.event.type,
                message_id=ctx.event.message_id,
                occurred_at=ctx.event.occurred_at,
                data=ctx.event.data,
                metadata=ctx.event.meta,
            )
        )
        headers = {
            **endpoint.headers,
            **self._auth_headers(endpoint),
            "content-type": f"application/{endpoint.payload_format}",
            "user-agent": self._settings.user_agent,
            **signature_headers(self._secrets(endpoint), ctx.callback.id, int(time.time()), body),
        }
        return await self._sender.send(
            url=url, body=body, headers=headers, timeout_seconds=endpoint.timeout_seconds
        )

    def _secrets(self, endpoint: Endpoint) -> list[str]:
        """The current secret, and the previous one while its grace period lasts."""
        secrets = [self._box.open(endpoint.secret, context=endpoint.id)]
        expires = endpoint.previous_secret_expires_at
        if endpoint.previous_secret and expires and expires > datetime.now(UTC):
            secrets.append(self._box.open(endpoint.previous_secret, context=endpoint.id))
        return secrets

    async def _conclude(
        self,
        request: DeliveryRequest,
        ctx: DeliveryContext,
        attempt: int,
        trigger: str,
        url: str,
        outcome: SendOutcome,
    ) -> DeliveryResult:
        record = Attempt(
            id="",
            callback_id=ctx.callback.id,
            attempt=attempt,
            trigger=trigger,
            target_url=url,
            status_code=outcome.status_code,
            duration_ms=outcome.duration_ms,
            response_excerpt=self._masker.text(outcome.excerpt),
            error=self._masker.text(outcome.error) if outcome.error else None,
        )
        self._metrics.attempts.labels(status_class(outcome.status_code), trigger).inc()
        self._metrics.attempt_seconds.observe(outcome.duration_ms / 1000)
        if outcome.ok:
            self._metrics.outcomes.labels("delivered").inc()
            self._metrics.attempts_per_delivery.observe(attempt)
            waited = datetime.now(UTC) - ctx.event.received_at
            self._metrics.accept_to_delivery.observe(max(0.0, waited.total_seconds()))
            async with self._db.session() as session:
                await record_attempt(
                    session, attempt=record, status="delivered", next_attempt_at=None
                )
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
        async with self._db.session() as session:
            await record_attempt(
                session,
                attempt=record,
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
