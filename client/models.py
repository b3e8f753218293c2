"""The request and response models of the API (its own ``api.schemas``) and the event models.

``from client.models import EndpointCreate, CallbackDetail, StatusEvent`` and so on.
"""

from api.schemas import *  # noqa: F403
from api.schemas import __all__ as _schemas
from api.schemas.alerts import (
    AlertPublic,
    AlertRuleCreate,
    AlertRuleCreated,
    AlertRulePublic,
    AlertRuleUpdate,
)
from api.schemas.engine import BreakerPublic, BreakerTransitionPublic, EndpointHealth
from api.schemas.linkage import (
    LinkageRuleCreate,
    LinkageRuleCreated,
    LinkageRulePublic,
    LinkageRuleUpdate,
    SuppressionCheck,
    SuppressionCreate,
    SuppressionPublic,
)
from core.events import BehaviorEvent, Channel, CustomEvent, StatusEvent

Event = StatusEvent | BehaviorEvent | CustomEvent

__all__ = [
    *_schemas,
    "AlertPublic",
    "AlertRuleCreate",
    "AlertRuleCreated",
    "AlertRulePublic",
    "AlertRuleUpdate",
    "BehaviorEvent",
    "BreakerPublic",
    "BreakerTransitionPublic",
    "Channel",
    "CustomEvent",
    "EndpointHealth",
    "Event",
    "LinkageRuleCreate",
    "LinkageRuleCreated",
    "LinkageRulePublic",
    "LinkageRuleUpdate",
    "StatusEvent",
    "SuppressionCheck",
    "SuppressionCreate",
    "SuppressionPublic",
]
