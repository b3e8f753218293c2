"""Endpoint revisions as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.common import ReadModel

__all__ = ["RevisionDetail", "RevisionPublic"]


class RevisionPublic(ReadModel):
    number: int
    action: str = Field(
        description="create, update, secret_rotate, rollback, auto_disable or baseline"
    )
    actor: str = Field(description="The API key id (or token subject) that made the change")
    created_at: datetime
    changes: dict[str, Any] = Field(
        description='Against the previous revision: {"path": {"from": a, "to": b}}; secrets '
        'only as "secrets.<name>": "changed"'
    )
    rolled_back_to: int | None = None


class RevisionDetail(RevisionPublic):
    config: dict[str, Any] = Field(description="The public configuration after this change")
