"""Shared bases, pagination, URLs and the error body."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    UrlConstraints,
)

T = TypeVar("T")

HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
RESERVED_HEADERS = {
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
    "user-agent",
}


def no_control_characters(value: object) -> object:
    """URL parsers silently drop CR, LF and tabs; we refuse them instead."""
    if isinstance(value, str) and any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("URL contains control characters")
    return value


TargetUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=2048),  # the store's column size
    BeforeValidator(no_control_characters),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at end.")


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None
