"""The JSON diff of endpoint configurations (pure)."""

from __future__ import annotations

from core.config_diff import config_diff


def test_nested_objects_by_path_lists_whole_and_secrets_as_changed() -> None:
    old = {"name": "a", "retry": {"max_attempts": 18, "strategy": "fixed"}, "targets": [1, 2]}
    new = {"name": "a", "retry": {"max_attempts": 4, "strategy": "fixed"}, "targets": [1, 3]}
    assert config_diff(old, new) == {
        "retry.max_attempts": {"from": 18, "to": 4},
        "targets": {"from": [1, 2], "to": [1, 3]},
    }
    marks = config_diff(
        old, old, old_secrets={"auth": "x", "signing_secret": "s"}, new_secrets={"auth": "y"}
    )
    assert marks == {"secrets.auth": "changed", "secrets.signing_secret": "changed"}


def test_added_and_removed_keys_and_type_changes() -> None:
    assert config_diff({"h": {"A": "1"}}, {"h": {"B": "2"}, "r": None, "x": 1}) == {
        "h.A": {"from": "1", "to": None},
        "h.B": {"from": None, "to": "2"},
        "x": {"from": None, "to": 1},
    }
    assert config_diff({"rate": None}, {"rate": {"per_second": 1}}) == {
        "rate": {"from": None, "to": {"per_second": 1}}
    }
    assert config_diff({}, {}) == {}
