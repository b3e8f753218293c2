"""Endpoint templates: named defaults that new endpoints are created from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import ReadModel
from api.schemas.config import (
    EndpointFieldChecks,
    EventTypePattern,
    HeaderName,
    HeaderValue,
    MaxInFlight,
    RetryPolicy,
)
from api.schemas.endpoint_parts import Balancing, Batching, HealthCheck, PayloadFormat, RateLimit

__all__ = [
    "TEMPLATE_FIELDS",
    "TemplateConfig",
    "TemplateCreate",
    "TemplatePublic",
    "TemplateUpdate",
]

Channel = Annotated[str, Field(min_length=1, max_length=50)]


class TemplateConfig(EndpointFieldChecks):
    """What a template sets; fields left out take the endpoint defaults."""

    event_types: list[EventTypePattern] | None = Field(default=None, max_length=100)
    channels: list[Channel] | None = Field(default=None, max_length=50)
    headers: dict[HeaderName, HeaderValue] | None = Field(default=None, max_length=50)
    timeout_seconds: float | None = Field(default=None, ge=1, le=60)
    retry: RetryPolicy | None = None
    rate_limit: RateLimit | None = None
    max_in_flight: MaxInFlight | None = None
    payload_format: PayloadFormat | None = None
    balancing: Balancing | None = None
    batch: Batching | None = None
    health_check: HealthCheck | None = None

    @model_validator(mode="after")
    def _batch_needs_json(self) -> TemplateConfig:
        if self.batch is not None and self.payload_format == "xml":
            raise ValueError("batch sends a JSON array; it cannot go with payload_format xml")
        return self


TEMPLATE_FIELDS = tuple(TemplateConfig.model_fields)


class TemplateCreate(BaseModel):
    model_config = {"extra": "forbid"}

    tenant_id: str | None = Field(
        default=None, description="Implied by a tenant key; none with an admin key = global"
    )
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    config: TemplateConfig = Field(default_factory=TemplateConfig)


class TemplateUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    config: TemplateConfig | None = Field(default=None, description="Replaces the whole config")


class TemplatePublic(ReadModel):
    id: str
    tenant_id: str | None = Field(description="null: a global template, for every tenant")
    name: str
    description: str
    revision: int = Field(description="1, plus one per change")
    config: TemplateConfig
    created_at: datetime
    updated_at: datetime
