"""What every operation module shares: the request helpers and the ``Event``/``Action`` types."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from client import models as m
from client.call import Call
from core.events import EventIn

M = TypeVar("M", bound=BaseModel)
Event = m.Event
Action = Literal["retry", "pause", "resume", "cancel"]
_EVENT: TypeAdapter[Event] = TypeAdapter(EventIn)


def as_model(cls: type[M], body: M | None, fields: dict[str, Any]) -> M:
    """A request model from a model or from keyword fields (validated here, before sending)."""
    if body is not None and fields:
        raise TypeError("pass a model or keyword fields, not both")
    return body if body is not None else cls(**fields)


def as_event(event: Event | dict[str, Any]) -> Event:
    return event if isinstance(event, BaseModel) else _EVENT.validate_python(event)


def _body(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _page(path: str, into: Any, cursor: str | None, limit: int, **filters: Any) -> Call[Any]:
    return Call("GET", path, m.Page[into], params={**filters, "cursor": cursor, "limit": limit})
