"""Routing: event-type patterns and channel filters."""

from __future__ import annotations

import pytest

from core.routing import EVENT_TYPE_PATTERN, endpoint_matches, type_matches


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        ([], "message.status.delivered", True),
        (["*"], "message.behavior.click", True),
        (["message.status.*"], "message.status.failed", True),
        (["message.status.*"], "message.behavior.click", False),
        (["message.status.failed"], "message.status.failed", True),
        (["message.status.failed"], "message.status.delivered", False),
        (["message.status.fail"], "message.status.failed", False),
        (["message.*"], "message.behavior.read", True),
        (["message.behavior.click", "message.status.sent"], "message.status.sent", True),
        (["message.behavior.click", "message.status.sent"], "message.status.sending", False),
        (["Message.Status.*"], "message.status.sent", False),
    ],
)
def test_type_matches(patterns: list[str], event_type: str, expected: bool) -> None:
    assert type_matches(patterns, event_type) is expected


@pytest.mark.parametrize(
    ("types", "channels", "event_type", "channel", "expected"),
    [
        ([], [], "message.status.sent", None, True),
        ([], ["email"], "message.status.sent", "email", True),
        ([], ["email"], "message.status.sent", "sms", False),
        ([], ["email"], "message.status.sent", None, False),
        ([], ["email", "sms"], "message.status.sent", "sms", True),
        (["message.behavior.*"], ["email"], "message.status.sent", "email", False),
        (["message.behavior.*"], ["email"], "message.behavior.read", "email", True),
    ],
)
def test_endpoint_matches(
    types: list[str], channels: list[str], event_type: str, channel: str | None, expected: bool
) -> None:
    assert endpoint_matches(types, channels, event_type, channel) is expected


@pytest.mark.parametrize(
    "pattern", ["*", "message.status.*", "message.*", "message.status.delivered", "a_b-c.d"]
)
def test_valid_patterns(pattern: str) -> None:
    assert EVENT_TYPE_PATTERN.fullmatch(pattern)


@pytest.mark.parametrize(
    "pattern",
    ["", "message..status", ".message", "message.", "message.sta*", "MESSAGE.status", "a b", "**"],
)
def test_invalid_patterns(pattern: str) -> None:
    assert not EVENT_TYPE_PATTERN.fullmatch(pattern)
