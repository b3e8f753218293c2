"""The tables of endpoint configuration: endpoints, their revisions, templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = ["Endpoint", "EndpointRevision", "EndpointTemplate"]


class Endpoint(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, foreign_key="tenant.id", max_length=64)
    name: str = Field(default="", max_length=200)
    url: str = Field(max_length=2048)
    event_types: list[str] = Field(default_factory=list, sa_column=json_column())
    channels: list[str] = Field(default_factory=list, sa_column=json_column())
    secret: str = Field(max_length=300, description="sealed (core.secret_box)")
    previous_secret: str | None = Field(default=None, max_length=300)
    previous_secret_expires_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
    headers: dict[str, str] = Field(default_factory=dict, sa_column=json_column())
    timeout_seconds: float = 15.0
    retry: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=500)
    disabled_by: str | None = Field(default=None, max_length=64)
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    targets: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=json_column(), description="url, weight, enabled, stream"
    )
    protocol: str = Field(default="http", max_length=16)
    payload_format: str = Field(default="json", max_length=8)
    balancing: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    auth: dict[str, Any] = Field(
        default_factory=dict, sa_column=json_column(), description="public parts only"
    )
    auth_secret: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True), description="sealed JSON"
    )
    rate_limit: dict[str, Any] | None = Field(default=None, sa_column=json_column(nullable=True))
    max_in_flight: int | None = None
    health_check: dict[str, Any] | None = Field(
        default=None, sa_column=json_column(nullable=True), description="path, interval_seconds"
    )
    batch: dict[str, Any] | None = Field(
        default=None, sa_column=json_column(nullable=True), description="max_events, max_wait_ms"
    )
    revision: int = Field(default=0, description="number of the newest EndpointRevision")
    template_id: str | None = Field(default=None, max_length=64)
    template_revision: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class EndpointRevision(SQLModel, table=True):
    """One change of an endpoint: who, when, the public configuration after it, the diff."""

    __tablename__ = "endpoint_revision"
    __table_args__ = (UniqueConstraint("endpoint_id", "number"),)

    id: str = Field(primary_key=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    number: int
    action: str = Field(max_length=32)
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    secret_marks: dict[str, Any] = Field(
        default_factory=dict, sa_column=json_column(), description="digests of sealed secrets"
    )
    sealed_auth: str | None = Field(
        default=None, sa_column=Column(Text, nullable=True), description="for a rollback"
    )
    rolled_back_to: int | None = None


class EndpointTemplate(SQLModel, table=True):
    """Named endpoint defaults of a tenant, or global (tenant_id None)."""

    __tablename__ = "endpoint_template"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    revision: int = 1
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
