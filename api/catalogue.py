"""Checks posted events against the event type catalogue, with compiled validators cached in
the API process.

A tenant's view of the catalogue (global types and its own) is loaded in one query and kept for
``event_type_cache_seconds``; a change made through this process drops it at once, one made
through another API process is seen when the view expires. Validators are compiled once per
(scope, type, version): versions never change once created.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.errors import InvalidInput
from core.event_types import Validator, compile_schema, first_problem
from store.event_types import GLOBAL, catalogue_rows

__all__ = ["CatalogueCache", "EventCheck"]

MAX_VIEWS = 4096  # tenants whose view is kept at once


@dataclass(frozen=True)
class _Version:
    scope: str
    version: int
    deprecated: bool
    schema: dict[str, Any]


@dataclass
class _View:
    loaded_at: float
    types: dict[str, list[_Version]] = field(default_factory=dict)

    def current(self, name: str) -> _Version | None:
        """The newest version not deprecated, else the newest; None for an unknown type."""
        versions = self.types.get(name)
        if not versions:
            return None
        live = [v for v in versions if not v.deprecated]
        return (live or versions)[-1]


@dataclass(frozen=True)
class EventCheck:
    """One event to check: the tenant it is for, its type, the version it asks for, its data,
    where it and its data sit in the request body (``loc``) and how a message names it."""

    tenant_id: str
    type: str
    version: int | None
    data: dict[str, Any]
    loc: tuple[str | int, ...]
    data_loc: tuple[str | int, ...]
    label: str = ""


class CatalogueCache:
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._views: dict[str, _View] = {}
        self._validators: dict[tuple[str, str, int], Validator] = {}

    def invalidate(self, scope: str) -> None:
        """Forgets what a change in ``scope`` (a tenant id, or ``GLOBAL``) may have touched."""
        if scope == GLOBAL:
            self._views.clear()
            self._validators.clear()
            return
        self._views.pop(scope, None)
        for key in [k for k in self._validators if k[0] == scope]:
            del self._validators[key]

    async def _view(self, session: AsyncSession, tenant_id: str) -> _View:
        now = self._clock()
        view = self._views.get(tenant_id)
        if view is not None and now - view.loaded_at < self._ttl:
            return view
        view = _View(loaded_at=now)
        for row in await catalogue_rows(session, tenant_id=tenant_id):
            view.types.setdefault(row.name, []).append(
                _Version(row.tenant_id, row.version, row.deprecated_at is not None, row.data_schema)
            )
        if len(self._views) >= MAX_VIEWS:
            self._views.pop(next(iter(self._views)))
        self._views[tenant_id] = view
        return view

    def _validator(self, name: str, entry: _Version) -> Validator:
        key = (entry.scope, name, entry.version)
        validator = self._validators.get(key)
        if validator is None:
            validator = self._validators[key] = compile_schema(entry.schema)
        return validator

    async def problem(self, session: AsyncSession, check: EventCheck) -> int | dict[str, Any]:
        """The version the event's data conforms to; else one error detail
        ``{"loc", "msg", "type", "pointer"}`` whose ``type`` is the error code."""
        view = await self._view(session, check.tenant_id)
        versions = view.types.get(check.type, [])
        if check.version is None:
            entry = view.current(check.type)
        else:
            entry = next((v for v in versions if v.version == check.version), None)
        if entry is None:
            code, what = "unknown_event_type", f"unknown event type {check.type}"
            if versions:
                code, what = "unknown_event_type_version", f"{what} version {check.version}"
            return {"loc": [*check.loc, "type"], "msg": check.label + what, "type": code}
        found = first_problem(self._validator(check.type, entry), check.data)
        if found is None:
            return entry.version
        where = found.pointer or "/"
        return {
            "loc": [*check.data_loc, *found.path],
            "msg": f"{check.label}{check.type} v{entry.version} data at {where}: {found.message}",
            "type": "event_data_invalid",
            "pointer": found.pointer,
        }

    async def check(self, session: AsyncSession, checks: list[EventCheck]) -> list[int]:
        """The version each event matched; refuses (422) the whole request when any event
        fails, listing every failure."""
        outcomes = [await self.problem(session, c) for c in checks]
        problems = [p for p in outcomes if isinstance(p, dict)]
        if not problems:
            return [v for v in outcomes if isinstance(v, int)]
        first = problems[0]
        raise InvalidInput(first["msg"], code=first["type"], details=problems)
