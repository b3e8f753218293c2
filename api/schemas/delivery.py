"""Events in, callbacks out, and manual intervention."""

from __future__ import annotations

from datetime import datetime

from pydantic import (
    BaseModel,
    Field,
)

from api.schemas.common import ReadModel, StrictModel, TargetUrl
from core.events import EventIn

# --- events ----------------------------------------------------------------------------------


class EventBatch(StrictModel):
    events: list[EventIn] = Field(min_length=1, max_length=1000)


class EventAccepted(ReadModel):
    event_id: str
    external_id: str
    callback_ids: list[str]
    duplicate: bool = Field(description="True when this id was accepted before.")


class BatchAccepted(BaseModel):
    events: list[EventAccepted]


# --- callbacks -------------------------------------------------------------------------------


class AttemptPublic(ReadModel):
    attempt: int
    trigger: str
    target_url: str
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None
    batch_id: str | None = Field(
        default=None, description="The batch (webhook-id) this try was sent in, if batched"
    )
    created_at: datetime


class LiveStatus(ReadModel):
    """What the running workflow says (the ``status`` query)."""

    state: str
    attempts: int
    last_error: str | None
    last_status_code: int | None
    next_attempt_at: datetime | None


class CallbackPublic(ReadModel):
    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    message_id: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CallbackDetail(CallbackPublic):
    attempt_log: list[AttemptPublic]
    live: LiveStatus | None = Field(description="null when the workflow is closed or unreachable")
    temporal_ui_url: str


class InterventionIn(StrictModel):
    reason: str = Field(default="", max_length=500)


class RedirectIn(StrictModel):
    url: TargetUrl
    reason: str = Field(default="", max_length=500)


class InterventionAccepted(BaseModel):
    callback_id: str
    action: str
    accepted: bool = True
