"""Linkage rules (follow-ons) and the suppression list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from api.schemas.common import ReadModel, StrictModel, TargetUrl
from api.schemas.config import EventTypePattern
from core.linkage import NOTIFY_TRIGGERS

Trigger = Literal["event", "delivered", "dead_lettered", "cancelled", "recovered"]
DataPath = Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")]
DataValue = Annotated[str, Field(max_length=200)] | int | float | bool | None
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


class LinkageFilter(StrictModel):
    """Which callbacks a rule applies to; every listed part must match (empty = any)."""

    event_types: list[EventTypePattern] = Field(default_factory=list, max_length=50)
    channels: list[Name] = Field(default_factory=list, max_length=50)
    endpoint_ids: list[Name] = Field(default_factory=list, max_length=50)
    data: dict[DataPath, list[DataValue]] = Field(
        default_factory=dict,
        max_length=20,
        description="Event data fields (dotted paths) and the values they may have, e.g. "
        '{"error.code": ["hard_bounce", "invalid_number"]}.',
    )


class NotifyAction(StrictModel):
    """Emit callback.dead_lettered / callback.recovered to the tenant's operations endpoints."""

    kind: Literal["notify"]


class SuppressAction(StrictModel):
    """Put the event's recipient on the tenant's suppression list."""

    kind: Literal["suppress"]


class WebhookAction(StrictModel):
    """POST a derived, signed event to another URL of the business."""

    kind: Literal["webhook"]
    url: TargetUrl
    event_type: EventTypePattern = "linkage.follow_on"


class EscalateAction(StrictModel):
    """Raise an alert when an endpoint has ``threshold`` dead letters within the window."""

    kind: Literal["escalate"]
    threshold: int = Field(default=5, ge=1, le=100_000)
    window_seconds: float = Field(default=3600, ge=60, le=30 * 86400)


class WorkflowAction(StrictModel):
    """Start the tenant's own workflow (any Temporal SDK) on its own task queue."""

    kind: Literal["workflow"]
    workflow_type: Annotated[
        str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][\w.\-]*$")
    ]
    task_queue: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w.\-:/]+$")]


Action = Annotated[
    NotifyAction | SuppressAction | WebhookAction | EscalateAction | WorkflowAction,
    Field(discriminator="kind"),
]


def check_triggers(kind: str, triggers: list[str]) -> None:
    """The triggers each kind makes sense on."""
    if len(set(triggers)) != len(triggers):
        raise ValueError("triggers must not repeat")
    if kind == "notify" and not set(triggers) <= set(NOTIFY_TRIGGERS):
        raise ValueError(f"notify fires on {' and '.join(NOTIFY_TRIGGERS)} only")
    if kind == "escalate" and triggers != ["dead_lettered"]:
        raise ValueError("escalate fires on dead_lettered only")


class LinkageRuleCreate(StrictModel):
    tenant_id: str | None = Field(default=None, description="Implied by a tenant-scoped key.")
    name: Name
    enabled: bool = True
    triggers: list[Trigger] = Field(min_length=1, max_length=5)
    filter: LinkageFilter = Field(default_factory=LinkageFilter)
    action: Action

    @model_validator(mode="after")
    def _triggers_fit(self) -> LinkageRuleCreate:
        check_triggers(self.action.kind, list(self.triggers))
        return self


class LinkageRuleUpdate(StrictModel):
    name: Name | None = None
    enabled: bool | None = None
    triggers: list[Trigger] | None = Field(default=None, min_length=1, max_length=5)
    filter: LinkageFilter | None = None
    action: Action | None = None


class LinkageRulePublic(ReadModel):
    id: str
    tenant_id: str
    name: str
    enabled: bool
    triggers: list[str]
    filter: dict[str, Any]
    action: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class LinkageRuleCreated(LinkageRulePublic):
    secret: str | None = Field(
        default=None, description="A webhook rule's signing secret: shown once, when generated."
    )


class SuppressionCreate(StrictModel):
    tenant_id: str | None = Field(default=None, description="Implied by a tenant-scoped key.")
    recipient: Annotated[str, Field(min_length=1, max_length=320)]
    channel: Name | None = None
    reason: Name = "manual"


class SuppressionPublic(ReadModel):
    id: str
    tenant_id: str
    recipient: str
    channel: str | None
    reason: str
    source: str
    created_at: datetime


class SuppressionCheck(BaseModel):
    recipient: str
    suppressed: bool
    entry: SuppressionPublic | None = None
