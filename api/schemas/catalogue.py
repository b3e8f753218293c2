"""The event type catalogue: registering types and versions, and the listings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.event_types import NAME_PATTERN

_SCHEMA = Field(
    alias="schema",
    description="JSON Schema (draft 2020-12) of the event's `data`; `$ref` stays inside it.",
    examples=[{"type": "object", "properties": {"order_id": {"type": "string"}}}],
)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class EventTypeCreate(_In):
    tenant_id: str | None = Field(
        default=None,
        max_length=64,
        description="The tenant that owns the type; omitted with a global admin key = global.",
    )
    name: str = Field(min_length=1, max_length=100, pattern=NAME_PATTERN, examples=["order.paid"])
    description: str = Field(default="", max_length=2000)
    data_schema: dict[str, Any] = _SCHEMA
    published: bool = Field(
        default=False, description="Listed in the public GET /v1/catalog when true."
    )


class EventTypeVersionCreate(_In):
    description: str | None = Field(
        default=None, max_length=2000, description="Default: the previous version's."
    )
    data_schema: dict[str, Any] = _SCHEMA


class EventTypeDeprecate(_In):
    version: int | None = Field(default=None, ge=1, description="Default: every version.")


class EventTypePublish(_In):
    published: bool


class EventTypePublic(_Out):
    """One version of an event type."""

    name: str
    version: int
    tenant_id: str | None = Field(description="null for a global (built-in or admin's) type")
    description: str
    data_schema: dict[str, Any] = Field(alias="schema")
    builtin: bool
    published: bool
    deprecated: bool
    deprecated_at: datetime | None
    created_at: datetime


class EventTypeDetail(BaseModel):
    """Every version of one event type, and the one events get when they name none."""

    name: str
    tenant_id: str | None
    current_version: int
    versions: list[EventTypePublic]


class EventTypeList(BaseModel):
    data: list[EventTypePublic]


class CatalogEntry(_Out):
    """A type version as receivers' documentation shows it."""

    name: str
    version: int
    description: str
    data_schema: dict[str, Any] = Field(alias="schema")
    deprecated: bool


class Catalog(BaseModel):
    tenant_id: str | None = Field(description="Whose published types are included, if anyone's.")
    event_types: list[CatalogEntry]
