"""Active health checks: one round GETs each enabled target's health path and marks the target
healthy (a 2xx) or unhealthy (anything else) for every worker, through the same store rows the
passive health uses. Sent through the SSRF guard like deliveries."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from temporalio import activity

from activities.adapters.guard import guarded_transport
from activities.adapters.http import ssl_context_for
from activities.receiver_auth import ReceiverAuth
from activities.targeting import shown_url, target_key
from core.delivery_contracts import HealthCheckRound, HealthCheckRun
from core.errors import TargetNotAllowed
from core.netguard import NetGuard
from core.secret_box import SecretBox
from core.settings import Settings
from runtime.metrics import Metrics
from store.db import Database
from store.delivery_state import clear_target_failures, mark_target_failed, unhealthy_targets
from store.endpoint_models import Endpoint
from store.endpoints import delivery_spec
from store.types import utcnow

__all__ = ["HealthCheckActivities", "health_url"]

log = logging.getLogger(__name__)
_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=0)


def health_url(target_url: str, path: str) -> str:
    """The target's scheme, credentials, host and port with the health check's path (and
    query) in place of the target's own."""
    target = urlsplit(target_url)
    check = urlsplit(path)
    return urlunsplit(target._replace(path=check.path, query=check.query, fragment=""))


class HealthCheckActivities:
    def __init__(
        self,
        *,
        db: Database,
        box: SecretBox,
        guard: NetGuard,
        settings: Settings,
        metrics: Metrics,
    ) -> None:
        self._db = db
        self._auth = ReceiverAuth(box)
        self._guard = guard
        self._settings = settings
        self._metrics = metrics

    @activity.defn(name="check_health")
    async def check_health(self, run: HealthCheckRun) -> HealthCheckRound:
        """Checks every enabled target once; says when to check again (never, once the
        endpoint is gone, disabled, or has no health check any more)."""
        async with self._db.session() as session:
            endpoint = await session.get(Endpoint, run.endpoint_id)
            if endpoint is None or not endpoint.enabled or not endpoint.health_check:
                return HealthCheckRound(run.endpoint_id)
            sick = await unhealthy_targets(session, endpoint_id=endpoint.id, now=utcnow())
        config = endpoint.health_check
        interval = float(config.get("interval_seconds", 30))
        timeout = float(config.get("timeout_seconds", 5))
        down_for = timedelta(seconds=2 * interval + timeout)  # until the next round says so
        round_ = HealthCheckRound(endpoint.id, next_check_seconds=interval)
        headers = {**self._auth.headers(endpoint), "user-agent": self._settings.user_agent}
        transport = guarded_transport(
            self._guard, limits=_LIMITS, ssl_context=ssl_context_for(self._auth.tls(endpoint))
        )
        async with httpx.AsyncClient(
            transport=transport, follow_redirects=False, trust_env=False
        ) as client:
            for target in delivery_spec(endpoint).targets:
                if not target.enabled:
                    continue
                url, key = target.url, target_key(target)
                error = await _probe(client, health_url(url, config["path"]), headers, timeout)
                shown = shown_url(url, None)
                async with self._db.session() as session:
                    if error is None:
                        round_.healthy += 1
                        if key in sick:
                            await clear_target_failures(
                                session, endpoint_id=endpoint.id, target=key
                            )
                            log.warning("target %s of %s is healthy again", shown, endpoint.id)
                    else:
                        round_.unhealthy += 1
                        await mark_target_failed(
                            session,
                            endpoint_id=endpoint.id,
                            target=key,
                            url=url,
                            until=utcnow() + down_for,
                            error=f"health check: {error}",
                        )
                        if key not in sick:
                            log.warning("target %s of %s is down: %s", shown, endpoint.id, error)
                self._metrics.health_checks.labels(
                    "healthy" if error is None else "unhealthy"
                ).inc()
                self._metrics.target_healthy.labels(endpoint.id, shown).set(error is None)
        return round_


async def _probe(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], seconds: float
) -> str | None:
    """None when the target answers 2xx; otherwise what went wrong."""
    try:
        response = await client.get(url, headers=headers, timeout=seconds)
    except TargetNotAllowed as exc:
        return exc.message
    except httpx.TimeoutException:
        return f"timeout after {seconds:g}s"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
    return None if response.is_success else f"HTTP {response.status_code}"
