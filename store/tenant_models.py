"""The tables of tenants and access: tenants, API keys, the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = ["ApiKey", "AuditEntry", "Tenant"]


class Tenant(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    key_hash: str = Field(unique=True, max_length=64)
    hint: str = Field(max_length=32)
    role: str = Field(max_length=32)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    allowed_cidrs: list[str] = Field(default_factory=list, sa_column=json_column())
    rate_limit_per_second: float | None = None
    rate_limit_burst: int | None = None
    expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuditEntry(SQLModel, table=True):
    """One configuration change or manual intervention: who, what, when, from where."""

    __tablename__ = "audit_entry"

    id: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    actor: str = Field(index=True, max_length=200, description="API key id or JWT subject")
    actor_kind: str = Field(max_length=16, description="api_key or jwt")
    role: str = Field(max_length=32)
    address: str | None = Field(default=None, max_length=64)
    tenant_id: str | None = Field(default=None, index=True, max_length=64)
    action: str = Field(index=True, max_length=64)
    resource: str = Field(index=True, max_length=200)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
