"""Who may do what: the roles, the route classes, and one dependency per class.

Every ``/v1`` route declares its class by taking its caller through one of the ``Can*``
aliases below; ``tests/api/test_access.py`` checks that each one does, and tries every role
against every class.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from api.auth import Principal
from api.deps import CallerDep
from core.errors import Forbidden
from core.roles import ROLES, RouteClass, allowed

__all__ = [
    "ROLES",
    "CanAdminister",
    "CanAudit",
    "CanConfigure",
    "CanIngest",
    "CanIntervene",
    "CanRead",
    "RouteClass",
    "allowed",
    "require",
    "route_class_of",
]


def require(caller: Principal, route_class: RouteClass) -> Principal:
    """The caller, if its role may use this class of route; else ``Forbidden`` (HTTP 403)."""
    if allowed(caller.role, route_class):
        return caller
    if route_class is RouteClass.ADMINISTER:
        raise Forbidden("this action needs a global admin", code="admin_required")
    may = sorted(role for role, classes in ROLES.items() if route_class in classes)
    raise Forbidden(
        f"role {caller.role} may not {route_class.value}; that needs one of {', '.join(may)}",
        code="role_required",
        details={"role": caller.role, "route_class": route_class.value, "roles": may},
    )


def _requires(route_class: RouteClass) -> Any:
    def check(caller: CallerDep) -> Principal:
        return require(caller, route_class)

    check.route_class = route_class  # type: ignore[attr-defined]
    return Depends(check)


def route_class_of(dependency: Any) -> RouteClass | None:
    """The class a dependency function declares (None for anything else)."""
    return getattr(dependency, "route_class", None)


CanRead = Annotated[Principal, _requires(RouteClass.READ)]
CanConfigure = Annotated[Principal, _requires(RouteClass.CONFIGURE)]
CanIntervene = Annotated[Principal, _requires(RouteClass.INTERVENE)]
CanIngest = Annotated[Principal, _requires(RouteClass.INGEST)]
CanAudit = Annotated[Principal, _requires(RouteClass.AUDIT)]
CanAdminister = Annotated[Principal, _requires(RouteClass.ADMINISTER)]
