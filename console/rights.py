"""What a signed-in key may change in the console: the API's own rights, asked ahead of time.

The pages hide a control when ``may`` says no. The handlers behind the controls call
``api.access.require`` (the check every ``/v1`` route runs through its ``Can*`` dependency)
and then the very API route function, so a forced request is refused by the same code and
the same table (``core.roles.ROLES``) that refuse it on ``/v1``.
"""

from __future__ import annotations

from api.access import RouteClass, allowed, require
from api.auth import Principal

__all__ = ["RouteClass", "may", "require"]


def may(principal: Principal, route_class: RouteClass) -> bool:
    return allowed(principal.role, route_class)
