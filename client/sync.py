"""``GouTongClient``: the whole API, blocking (see ``aio.py`` for the asyncio twin); its resources
are in ``sync_setup.py``, ``sync_traffic.py`` and ``sync_rules.py``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx

from client import models as m
from client import operations as ops
from client.call import Call, Retries
from client.config import DEFAULT_URL, http_options
from client.errors import ApiError
from client.sync_rules import AlertRules, Alerts, LinkageRules, Suppressions
from client.sync_setup import ApiKeys, Endpoints, EventTypes, Templates, Tenants
from client.sync_traffic import Audit, Callbacks, Events, Recoveries, Stats

__all__ = ["GouTongClient"]

R = TypeVar("R")
T = TypeVar("T")


class GouTongClient:
    """A blocking client: ``client.tenants``, ``.endpoints``, ``.api_keys``, ``.events``,
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
        http: httpx.Client | None = None,
    ) -> None:
        self.retries = retries or Retries()
        self.http = http or httpx.Client(**http_options(base_url, api_key, timeout))
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

    def send(self, call: Call[R]) -> R:
        """Sends one call, retrying what ``Retries`` allows; the typed answer or ``ApiError``."""
        attempt = 1
        while True:
            try:
                response = self.http.send(call.request(self.http))
            except httpx.TransportError as exc:
                delay = self.retries.delay(call, attempt, error=exc)
                if delay is None:
                    raise ApiError.from_transport(exc) from exc
            else:
                delay = self.retries.delay(call, attempt, response=response)
                if delay is None:
                    return call.parse(response)
            time.sleep(delay)
            attempt += 1

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Any route, untyped (params=, json=): the JSON answer, or None for 204."""
        return self.send(Call(method.upper(), path, Any, **kwargs))

    def pages(self, page: Callable[[str | None], Call[m.Page[T]]]) -> Iterator[T]:
        """Every item of a list, following ``next_cursor`` page by page."""
        cursor: str | None = None
        while True:
            result = self.send(page(cursor))
            yield from result.data
            if not result.next_cursor:
                return
            cursor = result.next_cursor

    def healthz(self) -> dict[str, Any]:
        return self.send(ops.healthz())

    def readyz(self) -> dict[str, Any]:
        return self.send(ops.readyz())

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GouTongClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
