"""The tables of linkage: follow-on rules and the suppression list they feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = ["LinkageRule", "Suppression"]


class LinkageRule(SQLModel, table=True):
    """A follow-on: on which triggers, for which events, which kind with which parameters."""

    __tablename__ = "linkage_rule"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, foreign_key="tenant.id", max_length=64)
    name: str = Field(default="", max_length=200)
    enabled: bool = True
    triggers: list[str] = Field(default_factory=list, sa_column=json_column())
    filter: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    action: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    secret: str | None = Field(default=None, max_length=300, description="sealed; webhook only")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Suppression(SQLModel, table=True):
    """A recipient the tenant's messages must no longer go to (unsubscribed, hard bounce...)."""

    __table_args__ = (UniqueConstraint("tenant_id", "recipient"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    recipient: str = Field(max_length=320)
    channel: str | None = Field(default=None, max_length=200)
    reason: str = Field(max_length=200)
    source: str = Field(default="", max_length=300, description="rule, callback or 'manual'")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
