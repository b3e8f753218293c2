"""Rule matching, follow-on ids and the routing of operational events."""

from __future__ import annotations

from core.callback_contracts import FollowOnSpec
from core.linkage import MISSING, RuleView, follow_on_id, follow_ons_for, lookup
from core.routing import endpoint_matches

DATA = {"recipient": "a@example.com", "error": {"code": "hard_bounce"}, "channel": {"type": "sms"}}


def _matches(rule: RuleView, event_type: str = "message.status.failed", **kw: object) -> bool:
    args: dict = {"event_type": event_type, "channel": "sms", "endpoint_id": "ep_1", "data": DATA}
    args.update(kw)
    return rule.matches(**args)


def test_lookup_follows_dotted_paths() -> None:
    assert lookup(DATA, "error.code") == "hard_bounce"
    assert lookup(DATA, "recipient") == "a@example.com"
    assert lookup(DATA, "error.code.more") is MISSING
    assert lookup(DATA, "nope") is MISSING
    assert lookup({"a": None}, "a") is None


def test_every_part_of_a_filter_must_match() -> None:
    rule = RuleView(id="lr_1", kind="suppress", triggers=["event"])
    assert _matches(rule)  # empty filter: everything
    typed = RuleView("lr_1", "suppress", ["event"], event_types=["message.status.*"])
    assert _matches(typed) and not _matches(typed, "message.behavior.click")
    by_channel = RuleView("lr_1", "suppress", ["event"], channels=["email"])
    assert not _matches(by_channel) and _matches(by_channel, channel="email")
    by_endpoint = RuleView("lr_1", "suppress", ["event"], endpoint_ids=["ep_2"])
    assert not _matches(by_endpoint) and _matches(by_endpoint, endpoint_id="ep_2")
    by_data = RuleView("lr_1", "suppress", ["event"], data={"error.code": ["hard_bounce", "x"]})
    assert _matches(by_data)
    assert not _matches(by_data, data={**DATA, "error": {"code": "busy"}})
    assert not _matches(by_data, data={"recipient": "a"})  # a missing field never matches
    nulls = RuleView("lr_1", "suppress", ["event"], data={"error.code": [None]})
    assert not _matches(nulls, data={"recipient": "a"})


def test_notify_never_fires_for_operational_callbacks() -> None:
    rule = RuleView(id="lr_1", kind="notify", triggers=["dead_lettered"])
    assert _matches(rule)
    assert not _matches(rule, "callback.dead_lettered")
    webhook = RuleView(id="lr_2", kind="webhook", triggers=["dead_lettered"])
    assert _matches(webhook, "callback.dead_lettered")


def test_follow_ons_for_keeps_order_and_shape() -> None:
    rules = [
        RuleView("lr_1", "suppress", ["event"], event_types=["message.behavior.unsubscribe"]),
        RuleView("lr_2", "workflow", ["delivered"], workflow_type="Crm", task_queue="crm"),
    ]
    specs = follow_ons_for(
        rules, event_type="message.status.failed", channel="sms", endpoint_id="ep", data=DATA
    )
    assert specs == [FollowOnSpec("lr_2", "workflow", ["delivered"], "Crm", "crm")]


def test_follow_on_ids_are_once_per_event_or_per_occurrence() -> None:
    spec = FollowOnSpec("lr_1", "suppress", ["event", "dead_lettered"])
    ids = dict(callback_id="cb_a", event_id="evt_a", run_id="run1")
    assert follow_on_id(spec, trigger="event", seq=1, **ids) == "evt_a/follow-on/lr_1"
    first = follow_on_id(spec, trigger="dead_lettered", seq=1, **ids)
    second = follow_on_id(spec, trigger="dead_lettered", seq=2, **ids)
    rerun = follow_on_id(spec, trigger="dead_lettered", seq=1, **{**ids, "run_id": "run2"})
    assert len({first, second, rerun}) == 3 and first.startswith("cb_a/follow-on/lr_1/")


def test_operational_events_reach_only_endpoints_that_name_them() -> None:
    for event_type in ("callback.dead_lettered", "endpoint.disabled"):
        assert not endpoint_matches([], [], event_type, None)
        assert not endpoint_matches(["*"], [], event_type, None)
        assert not endpoint_matches(["message.*"], [], event_type, None)
    assert endpoint_matches(["callback.*"], [], "callback.recovered", None)
    assert endpoint_matches(["callback.dead_lettered"], [], "callback.dead_lettered", None)
    assert endpoint_matches([], [], "message.status.sent", "sms")
