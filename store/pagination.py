"""Cursor pagination over time-sortable ids (newest first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlmodel import col

__all__ = ["Page", "paginate", "to_page"]

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def paginate(statement: Any, id_column: Any, *, cursor: str | None, limit: int) -> Any:
    """Orders newest first and starts after ``cursor``; fetches one extra row to see the end."""
    if cursor:
        statement = statement.where(col(id_column) < cursor)
    return statement.order_by(col(id_column).desc()).limit(limit + 1)


def to_page(rows: list[T], *, limit: int, id_of: Any) -> Page[T]:
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(items=rows, next_cursor=id_of(rows[-1]))
    return Page(items=rows, next_cursor=None)
