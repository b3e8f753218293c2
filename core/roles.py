"""The roles and the route classes each may use: the one table of rights."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLES", "RouteClass", "allowed"]


class RouteClass(StrEnum):
    READ = "read"  # tenants, endpoints, callbacks, attempts, stats, recovery progress
    CONFIGURE = "configure"  # tenant update, endpoints, secrets, the tenant's API keys
    INTERVENE = "intervene"  # callback retry/pause/resume/cancel/redirect, recoveries
    INGEST = "ingest"  # POST /v1/events, /v1/events/batch
    AUDIT = "audit"  # GET /v1/audit
    ADMINISTER = "administer"  # create/delete tenants (a global admin only)


ROLES: dict[str, frozenset[RouteClass]] = {
    "admin": frozenset(RouteClass),
    "tenant_admin": frozenset({RouteClass.READ, RouteClass.CONFIGURE, RouteClass.AUDIT}),
    "operator": frozenset({RouteClass.READ, RouteClass.INTERVENE}),
    "viewer": frozenset({RouteClass.READ}),
    "producer": frozenset({RouteClass.INGEST}),
}
"""The one table of rights: role -> the route classes it may use."""


def allowed(role: str, route_class: RouteClass) -> bool:
    return route_class in ROLES.get(role, frozenset())
