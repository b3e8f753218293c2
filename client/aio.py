"""``AsyncGouTongClient``: the whole API on asyncio (the twin of ``sync.py``); its resources are
in ``aio_setup.py``, ``aio_traffic.py`` and ``aio_rules.py``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import httpx

from client import models as m
from client import operations as ops
from client.aio_rules import AlertRules, Alerts, LinkageRules, Suppressions
from client.aio_setup import ApiKeys, Endpoints, EventTypes, Templates, Tenants
from client.aio_traffic import Audit, Callbacks, Events, Recoveries, Stats
from client.call import Call, Retries
from client.config import DEFAULT_URL, http_options
from client.errors import ApiError

__all__ = ["AsyncGouTongClient"]

R = TypeVar("R")
T = TypeVar("T")


class AsyncGouTongClient:
    """An asyncio client: ``client.tenants``, ``.endpoints``, ``.api_keys``, ``.events``,
    ``.callbacks``, ``.recoveries``, ``.stats``, ``.templates``, ``.event_types``,
    ``.audit``,
    ``.linkage_rules``, ``.suppressions``, ``.alert_rules``, ``.alerts``; every failure is an
    ``ApiError``."""

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: Retries | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.retries = retries or Retries()
        self.http = http or httpx.AsyncClient(**http_options(base_url, api_key, timeout))
        self.tenants = Tenants(self)
        self.endpoints = Endpoints(self)
        self.api_keys = ApiKeys(self)
        self.events = Events(self)
        self.callbacks = Callbacks(self)
        self.recoveries = Recoveries(self)
        self.stats = Stats(self)
        self.templates = Templates(self)
        self.event_types = EventTypes(self)
        self.audit = Audit(self)
        self.linkage_rules = LinkageRules(self)
        self.suppressions = Suppressions(self)
        self.alert_rules = AlertRules(self)
        self.alerts = Alerts(self)

    async def send(self, call: Call[R]) -> R:
        """Sends one call, retrying what ``Retries`` allows; the typed answer or ``ApiError``."""
        attempt = 1
        while True:
            try:
                response = await self.http.send(call.request(self.http))
            except httpx.TransportError as exc:
                delay = self.retries.delay(call, attempt, error=exc)
                if delay is None:
                    raise ApiError.from_transport(exc) from exc
            else:
                delay = self.retries.delay(call, attempt, response=response)
                if delay is None:
                    return call.parse(response)
            await asyncio.sleep(delay)
            attempt += 1

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any route, untyped (params=, json=): the JSON answer, or None for 204."""
        return await self.send(Call(method.upper(), path, Any, **kwargs))

    async def pages(self, page: Callable[[str | None], Call[m.Page[T]]]) -> AsyncIterator[T]:
        """Every item of a list, following ``next_cursor`` page by page."""
        cursor: str | None = None
        while True:
            result = await self.send(page(cursor))
            for item in result.data:
                yield item
            if not result.next_cursor:
                return
            cursor = result.next_cursor

    async def healthz(self) -> dict[str, Any]:
        return await self.send(ops.healthz())

    async def readyz(self) -> dict[str, Any]:
        return await self.send(ops.readyz())

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncGouTongClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()
