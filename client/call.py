"""One API call described as data, and the retry rules both clients apply to it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter

from client.errors import ApiError

__all__ = ["Call", "Retries"]

R = TypeVar("R")

_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class Call(Generic[R]):
    """What to send and how to read the answer (``into`` = None: no body expected)."""

    method: str
    path: str
    into: Any = None  # a type pydantic can validate into (a model, list[...], Page[...])
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    repeatable: bool = False  # a POST that carries its own idempotency key(s)

    @property
    def safe_to_repeat(self) -> bool:
        """Repeating it cannot do the work twice: idempotent method or idempotency keys."""
        return self.repeatable or self.method in _IDEMPOTENT

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        params = {k: _param(v) for k, v in self.params.items() if v is not None}
        return http.build_request(
            self.method, self.path, params=params, json=self.json, headers=self.headers
        )

    def parse(self, response: httpx.Response) -> R:
        """The typed answer, or ``ApiError`` for a 4xx/5xx."""
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        if self.into is None or response.status_code == 204:
            return None  # type: ignore[return-value]
        adapter: TypeAdapter[R] = TypeAdapter(self.into)
        return adapter.validate_python(response.json())


def _param(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


@dataclass(frozen=True)
class Retries:
    """Retries connection errors, 429 and 503 with exponential backoff and jitter.

    A request that was sent but got no answer, or got 503, is repeated only when that is safe
    (``Call.safe_to_repeat``); connection failures before sending and 429 always are.
    ``Retry-After`` is honoured up to ``max_delay``.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0

    def delay(
        self,
        call: Call[Any],
        attempt: int,
        response: httpx.Response | None = None,
        error: httpx.TransportError | None = None,
    ) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None to stop here."""
        if attempt >= self.attempts:
            return None
        if error is not None:
            never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
            if not (never_sent or call.safe_to_repeat):
                return None
        elif response is not None:
            if response.status_code not in _RETRY_STATUSES:
                return None
            if response.status_code == 503 and not call.safe_to_repeat:
                return None
            after = _retry_after(response)
            if after is not None:
                return min(after, self.max_delay)
        base = min(self.backoff * 2 ** (attempt - 1), self.max_delay)
        return base * (0.5 + random.random() / 2)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
