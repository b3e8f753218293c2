"""Alembic environment: runs migrations on the connection handed over by store.migrate."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from store import (  # noqa: F401  (registers every table on SQLModel.metadata)
    alert_models,
    delivery_models,
    endpoint_models,
    event_models,
    linkage_models,
    tenant_models,
)


def render_item(type_: str, obj: Any, _context: Any) -> str | Literal[False]:
    """Writes sqlmodel's AutoString as plain ``sa.String`` in generated migrations."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through store.migrate.upgrade()")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
