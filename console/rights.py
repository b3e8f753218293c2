"""What a signed-in key may change in the console: the API's own checks, asked ahead of time.

The pages hide a control when ``may`` says no; the handlers behind the controls call the very
API route functions (which run ``api.auth.Principal``'s checks again), so a forced request is
refused by the same code that refuses it on ``/v1``.
"""

from __future__ import annotations

from enum import StrEnum

from api.auth import Principal
from core.errors import Forbidden

__all__ = ["Action", "may", "require"]

_MANAGERS = ("admin", "tenant_admin")  # api/routes/endpoint_secrets.py: who may see secrets


class Action(StrEnum):
    ADMINISTER = "administer"  # create tenants (a global admin key)
    CONFIGURE = "configure"  # endpoints: create, edit, enable/disable, test event
    MANAGE_SECRETS = "manage_secrets"  # rotate an endpoint's secret
    INTERVENE = "intervene"  # callbacks: retry, pause, resume, cancel


def may(principal: Principal, action: Action) -> bool:
    try:
        require(principal, action)
    except Forbidden:
        return False
    return True


def require(principal: Principal, action: Action) -> None:
    """Raises ``Forbidden`` (HTTP 403) like the API route behind ``action`` would."""
    if action is Action.ADMINISTER:
        principal.require_admin()
    else:
        principal.require_role(*_MANAGERS)
