"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import ControlDep, SessionDep
from core.errors import GoutongError, ServiceUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The store and Temporal answer")
async def readyz(session: SessionDep, control: ControlDep) -> dict[str, Any]:
    try:
        await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    except Exception as exc:
        raise ServiceUnavailable("the store does not answer", code="store_unavailable") from exc
    try:
        client = await control.client()
        await client.service_client.check_health()
    except GoutongError:
        raise
    except Exception as exc:
        raise ServiceUnavailable("Temporal does not answer", code="temporal_unavailable") from exc
    return {"status": "ready"}
