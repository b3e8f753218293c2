"""The tables of the alerting path: rules, alerts, and the outbox of alert webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = ["Alert", "AlertNotification", "AlertRule"]


class AlertRule(SQLModel, table=True):
    """A condition on a tenant's endpoints (all of them, or one) that raises an alert."""

    __tablename__ = "alert_rule"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    endpoint_id: str | None = Field(default=None, max_length=64, description="None = every one")
    name: str = Field(default="", max_length=200)
    kind: str = Field(max_length=32)
    threshold: float
    window_seconds: float | None = None
    min_callbacks: int = 1
    enabled: bool = True
    webhook_url: str | None = Field(default=None, max_length=2048)
    secret: str | None = Field(default=None, max_length=300, description="sealed; with the URL")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Alert(SQLModel, table=True):
    """One alert of a rule for one endpoint: pending (a duration not reached yet), firing,
    resolved. ``open_key`` is set while pending or firing, so a rule and endpoint have at most
    one open alert (NULLs do not collide in a unique column, on SQLite or PostgreSQL)."""

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    rule_id: str = Field(index=True, max_length=64, description="an alert rule or linkage rule")
    rule_name: str = Field(default="", max_length=200)
    kind: str = Field(max_length=32)
    endpoint_id: str = Field(index=True, max_length=64)
    state: str = Field(index=True, max_length=16)
    open_key: str | None = Field(default=None, unique=True, max_length=140)
    pending_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    fired_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    value: float = 0.0
    threshold: float = 0.0
    window_seconds: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class AlertNotification(SQLModel, table=True):
    """A fire or resolve to POST to an alert webhook (outbox: kept until sent)."""

    __tablename__ = "alert_notification"

    id: str = Field(primary_key=True, max_length=64)
    alert_id: str = Field(index=True, max_length=64)
    url: str = Field(max_length=2048)
    secret: str | None = Field(default=None, max_length=300, description="sealed; None = global")
    secret_context: str = Field(default="", max_length=64)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
