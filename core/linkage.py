"""Follow-on business linkage, pure part: triggers, kinds, rule matching and child ids.

A linkage rule says: when a callback of this tenant reaches one of these triggers (its event
was accepted, or it was delivered, dead-lettered, cancelled or recovered) and its event passes
this filter, start this follow-on as a child workflow of the callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.callback_contracts import FollowOnSpec
from core.routing import is_operational, type_matches

__all__ = [
    "KINDS",
    "MISSING",
    "NOTIFY_TRIGGERS",
    "OPERATIONAL_TYPES",
    "TRIGGERS",
    "RuleView",
    "follow_on_id",
    "follow_ons_for",
    "is_operational",
    "lookup",
    "operational_type",
]

TRIGGERS = ("event", "delivered", "dead_lettered", "cancelled", "recovered")
KINDS = ("notify", "suppress", "webhook", "escalate", "workflow")
NOTIFY_TRIGGERS = {"dead_lettered": "callback.dead_lettered", "recovered": "callback.recovered"}
OPERATIONAL_TYPES = (
    "callback.dead_lettered",
    "callback.recovered",
    "endpoint.disabled",
    "endpoint.recovered",
    "endpoint.circuit_opened",
    "endpoint.circuit_half_opened",
    "endpoint.circuit_closed",
)
MISSING = object()


def operational_type(trigger: str) -> str:
    """The operational event a notify follow-on emits for ``trigger``."""
    return NOTIFY_TRIGGERS[trigger]


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """``lookup({"error": {"code": "x"}}, "error.code") == "x"``; a missing path is MISSING."""
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


@dataclass(frozen=True)
class RuleView:
    """The parts of a stored rule that matching needs."""

    id: str
    kind: str
    triggers: list[str]
    event_types: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    endpoint_ids: list[str] = field(default_factory=list)
    data: dict[str, list[Any]] = field(default_factory=dict)
    workflow_type: str | None = None
    task_queue: str | None = None

    def matches(
        self, *, event_type: str, channel: str | None, endpoint_id: str, data: Mapping[str, Any]
    ) -> bool:
        if self.kind == "notify" and is_operational(event_type):
            return False  # an operational callback never notifies about itself: no loops
        if not type_matches(self.event_types, event_type):
            return False
        if self.channels and channel not in self.channels:
            return False
        if self.endpoint_ids and endpoint_id not in self.endpoint_ids:
            return False
        return all(lookup(data, path) in allowed for path, allowed in self.data.items())

    def spec(self) -> FollowOnSpec:
        return FollowOnSpec(
            rule_id=self.id,
            kind=self.kind,
            triggers=list(self.triggers),
            workflow_type=self.workflow_type,
            task_queue=self.task_queue,
        )


def follow_ons_for(
    rules: Iterable[RuleView],
    *,
    event_type: str,
    channel: str | None,
    endpoint_id: str,
    data: Mapping[str, Any],
) -> list[FollowOnSpec]:
    """The follow-ons one callback carries: every enabled rule its event passes."""
    return [
        rule.spec()
        for rule in rules
        if rule.matches(event_type=event_type, channel=channel, endpoint_id=endpoint_id, data=data)
    ]


def follow_on_id(
    spec: FollowOnSpec, *, trigger: str, callback_id: str, event_id: str, run_id: str, seq: int
) -> str:
    """The child workflow id: one per trigger, so a follow-on runs exactly once per trigger.

    ``event`` fires once per event however many endpoints it goes to; an outcome fires once per
    occurrence in one run of the callback (a callback may be dead-lettered, retried and
    dead-lettered again; a re-run from a closed dead letter is a new run).
    """
    if trigger == "event":
        return f"{event_id}/follow-on/{spec.rule_id}"
    return f"{callback_id}/follow-on/{spec.rule_id}/{trigger}/{run_id}/{seq}"
