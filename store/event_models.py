"""The tables of the event path: event types, events, callbacks, attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import json_column, utc_column, utcnow

__all__ = ["Attempt", "Callback", "Event", "EventType"]


class EventType(SQLModel, table=True):
    """One version of a catalogued event type: global (``tenant_id`` empty) or a tenant's own."""

    __tablename__ = "event_type"
    __table_args__ = (UniqueConstraint("tenant_id", "name", "version"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(default="", index=True, max_length=64, description="'' = global")
    name: str = Field(index=True, max_length=100)
    version: int
    description: str = Field(default="", max_length=2000)
    data_schema: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    builtin: bool = False
    published: bool = False
    deprecated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Event(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(index=True, max_length=64)
    external_id: str = Field(max_length=200)
    body_hash: str = Field(max_length=64)
    type: str = Field(max_length=200)
    message_id: str = Field(max_length=200)
    occurred_at: datetime = Field(sa_column=utc_column())
    received_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    data: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    type_version: int | None = Field(
        default=None, description="the catalogue version of the type its data matched"
    )


class Callback(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=100)
    tenant_id: str = Field(index=True, max_length=64)
    endpoint_id: str = Field(index=True, max_length=64)
    event_id: str = Field(index=True, max_length=64)
    event_type: str = Field(index=True, max_length=200)
    message_id: str = Field(max_length=200)
    status: str = Field(default="pending", index=True, max_length=32)
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Attempt(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    callback_id: str = Field(index=True, max_length=100)
    attempt: int
    trigger: str = Field(max_length=16)
    target_url: str = Field(max_length=2048)
    status_code: int | None = None
    duration_ms: int = 0
    response_excerpt: str = Field(default="", max_length=8192)
    error: str | None = Field(default=None, max_length=2000)
    batch_id: str | None = Field(default=None, max_length=64, description="the POST it rode in")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
