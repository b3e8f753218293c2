"""All configuration of GouTong Callbacks, read from the environment (prefix ``GOUTONG_``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.breaker import BreakerPolicy
from core.netguard import parse_networks
from core.signing import is_valid_secret

__all__ = ["Settings", "get_settings"]

DEFAULT_FAIL_FAST = [400, 401, 403, 404, 410, 413, 422]


class Settings(BaseSettings):
    """One place for every setting; see ``.env.example`` for the documented list."""

    model_config = SettingsConfigDict(
        env_prefix="GOUTONG_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # --- where things live -------------------------------------------------------------
    data_dir: Path = Path("data")
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("GOUTONG_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL; empty means sqlite+aiosqlite:///<data_dir>/goutong.db",
    )

    # --- Temporal ----------------------------------------------------------------------
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "goutong-callbacks"
    temporal_tls: bool = False
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_ca: Path | None = None
    temporal_api_key: str | None = None
    temporal_ui_url: str = "http://127.0.0.1:8233"
    register_search_attributes: bool = True

    # --- embedded dev stack (`goutong dev` / `make run`) ---------------------------------
    dev_temporal: bool = True
    dev_temporal_port: int = 7233
    dev_temporal_ui_port: int = 8233
    dev_components: str = "temporal,worker,api"
    dev_allow_loopback_targets: bool = True
    dev_worker_processes: int = Field(default=2, ge=0, le=16)

    # --- API -----------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_api_url: str = "http://127.0.0.1:8000"
    admin_api_key: str | None = None
    secrets_key: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_batch_events: int = 1000
    workflow_start_concurrency: int = 64
    api_processes: int = Field(default=1, ge=1, le=16)
    api_http: Literal["httptools", "h11"] = "httptools"
    event_loop: Literal["uvloop", "asyncio"] = Field(
        default="uvloop", description="the event loop of the API's and the worker's processes"
    )
    api_embedded_worker: bool = Field(
        default=False,
        description="the API process also runs a worker and starts callbacks eagerly",
    )
    api_rate_limit_per_second: float = Field(default=100.0, ge=0)
    api_rate_limit_burst: int = Field(default=200, ge=1)
    public_rate_limit_per_second: float = Field(
        default=10.0, ge=0, description="unauthenticated routes, per caller address; 0 = off"
    )
    public_rate_limit_burst: int = Field(default=50, ge=1)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDRs of proxies whose forwarding header names the caller; empty = peer",
    )
    trusted_proxy_header: Literal["x-forwarded-for", "forwarded"] = Field(
        default="x-forwarded-for",
        description="the one header trusted proxies write: X-Forwarded-For or RFC 7239 Forwarded",
    )

    # --- the CLI's client side (`goutong tenants ...`, `callbacks ...`, `verify`) -----------
    api_url: str = Field(default="", description="API the CLI talks to; empty = public_api_url")
    api_key: str | None = Field(default=None, description="CLI key; empty = data/admin.key")
    webhook_secret: str | None = Field(default=None, description="whsec_ for `goutong verify`")

    # --- JWT bearer tokens from an external issuer (off unless a key is configured) ---------
    jwt_algorithm: Literal["HS256", "RS256"] = "RS256"
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwt_jwks: str | None = None
    jwt_jwks_cache_seconds: float = 300.0
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = 30
    jwt_subject_claim: str = "sub"
    jwt_role_claim: str = "role"
    jwt_role_prefix: str = ""
    jwt_tenant_claim: str = "tenant_id"
    event_type_cache_seconds: float = Field(default=10.0, ge=0)

    # --- web console (/console) --------------------------------------------------------------
    console_session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    console_secure_cookie: bool = False

    # --- delivery ------------------------------------------------------------------------
    fail_fast_status_codes: list[int] = Field(default_factory=lambda: list(DEFAULT_FAIL_FAST))
    retry_after_max_seconds: int = 3600
    response_excerpt_bytes: int = 2048
    user_agent: str = "GouTong-Callbacks/0.1"
    dead_letter_retention_days: float = 7.0
    http_max_connections: int = 200
    # a pooled connection idle this long is not reused: below the 5 s after which Node.js and
    # uvicorn receivers close idle connections, so no try races a receiver's close
    http_keepalive_seconds: float = Field(default=4.0, ge=0)
    target_cooldown_seconds: float = Field(default=30.0, gt=0)
    breaker_failure_rate: float = Field(default=0.7, gt=0, le=1)
    breaker_min_requests: int = Field(default=10, ge=1)
    breaker_window_seconds: float = Field(default=60.0, gt=0)
    breaker_consecutive_failures: int = Field(default=10, ge=1)
    breaker_open_seconds: float = Field(default=30.0, gt=0)
    endpoint_disable_after_seconds: float = Field(
        default=5 * 86400.0, ge=0, description="failing this long disables an endpoint; 0: never"
    )
    allowed_target_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # --- alerts (AlertsWorkflow, the alert webhook) ------------------------------------------
    alerts_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    alerts_iterations_per_run: int = Field(default=500, ge=1, le=100_000)
    alert_webhook_url: str = Field(default="", pattern=r"^(https?://\S+)?$")
    alert_webhook_secret: str | None = Field(default=None, description="whsec_ signing key")
    alert_webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    # --- masking (logs, audit summaries, stored response excerpts) -------------------------
    mask_secrets: bool = True
    mask_headers: bool = True
    mask_phones: bool = True
    mask_emails: bool = True
    mask_extra_patterns: list[str] = Field(default_factory=list)

    # --- logs ----------------------------------------------------------------------------
    log_level: str = "INFO"
    log_format: str = Field(default="json", pattern="^(json|text)$")

    # --- metrics -------------------------------------------------------------------------
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 9464
    worker_sdk_metrics_port: int = 9465

    # --- tracing (OpenTelemetry; off unless an exporter is chosen) ----------------------------
    tracing_exporter: Literal["none", "console", "otlp"] = "none"
    tracing_otlp_endpoint: str = Field(
        default="http://127.0.0.1:4318", description="OTLP/HTTP base URL (/v1/traces is added)"
    )
    tracing_otlp_headers: str = Field(default="", description="key=value,... sent to the OTLP URL")
    tracing_service_name: str = Field(
        default="goutong", description="service.name prefix: <name>-api, <name>-worker"
    )
    tracing_sample_ratio: float = Field(default=1.0, ge=0, le=1)

    # --- worker --------------------------------------------------------------------------
    max_concurrent_activities: int = 200
    # a first try (a local activity) holds its workflow task's slot until it ends, and a start
    # is eager only while a slot is free: 100 capped the first tries in flight and the eager
    # starts of a process (docs/performance.md, 29 Nov); at most max_cached_workflows (1000)
    max_concurrent_workflow_tasks: int = Field(default=500, ge=2, le=1000)
    max_concurrent_local_activities: int = Field(default=100, ge=1)  # first tries
    # Where retries (the regular activity executions after a first try failed) run: "queue" =
    # a task queue of their own (<task queue>-retries) with its own slots; "priority" = the
    # main queue at Temporal priority 4 (fresh work is 3); "off" = the main queue, as is.
    retry_isolation: str = Field(default="off", pattern="^(queue|priority|off)$")
    retry_max_concurrent_activities: int = Field(default=50, ge=1)
    # the most of a worker's first-try slots (and of its retry slots) one endpoint's tries may
    # hold at once; over it a try is deferred without spending an attempt; 0 = no cap
    endpoint_slot_share: float = Field(default=0.25, ge=0, le=1)
    # each endpoint's retries a fairness key of their own (needs matching.enableFairness)
    retry_fairness: bool = False
    workflow_sandbox: str = Field(default="passthrough", pattern="^(strict|passthrough|off)$")
    # the API and worker processes freeze their startup objects out of the garbage collector
    # and collect the youngest generation every this many allocations (Python: 700); 0 = as is
    gc_gen0_threshold: int = Field(default=20_000, ge=0)

    @field_validator("trusted_proxy_header", mode="before")
    @classmethod
    def _header_name(cls, value: Any) -> Any:
        """Header names are case-insensitive: ``Forwarded`` is ``forwarded``."""
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("allowed_target_networks", "trusted_proxies", mode="before")
    @classmethod
    def _cidr_list(cls, value: Any) -> Any:
        """A comma-separated or JSON list of CIDRs; each must parse as a network."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if isinstance(value, list | tuple):
            value = [str(item).strip() for item in value if str(item).strip()]
            parse_networks(value)  # ValueError names the bad one
        return value

    @field_validator("mask_extra_patterns")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"mask_extra_patterns: {pattern!r} is not a regex: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _alert_webhook_signed(self) -> Settings:
        """Alert webhooks are signed: a URL needs a valid ``whsec_`` key."""
        if self.alert_webhook_url and not (
            self.alert_webhook_secret and is_valid_secret(self.alert_webhook_secret)
        ):
            raise ValueError(
                "GOUTONG_ALERT_WEBHOOK_URL needs GOUTONG_ALERT_WEBHOOK_SECRET (whsec_ + base64 "
                "of 24 to 64 bytes; `python -c 'from core.signing import generate_secret; "
                "print(generate_secret())'`)"
            )
        return self

    @property
    def alerts_workflow_id(self) -> str:
        """The one AlertsWorkflow of this deployment (its task queue)."""
        return f"alerts/{self.temporal_task_queue}"

    def retry_task_queue(self) -> str:
        """The task queue the retries of ``retry_isolation=queue`` run on."""
        return f"{self.temporal_task_queue}-retries"

    def breaker_policy(self) -> BreakerPolicy:
        return BreakerPolicy(
            failure_rate=self.breaker_failure_rate,
            min_requests=self.breaker_min_requests,
            window_seconds=self.breaker_window_seconds,
            consecutive_failures=self.breaker_consecutive_failures,
            open_seconds=self.breaker_open_seconds,
            disable_after_seconds=self.endpoint_disable_after_seconds,
        )

    def resolved_database_url(self) -> str:
        """The configured database URL, or the SQLite file under ``data_dir``."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+asyncpg://" + url.split("://", 1)[1]
            return url
        return f"sqlite+aiosqlite:///{self.data_dir / 'goutong.db'}"

    @property
    def admin_key_file(self) -> Path:
        return self.data_dir / "admin.key"

    @property
    def secrets_key_file(self) -> Path:
        return self.data_dir / "secrets.key"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once on first use (never at import time)."""
    return Settings()
