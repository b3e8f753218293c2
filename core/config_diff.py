"""A JSON diff of two configurations: dotted paths to what changed, from what, to what."""

from __future__ import annotations

from typing import Any

__all__ = ["SECRET_CHANGED", "config_diff"]

SECRET_CHANGED = "changed"


def _walk(old: Any, new: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            _walk(old.get(key), new.get(key), f"{path}.{key}" if path else str(key), out)
    elif old != new:
        out[path] = {"from": old, "to": new}


def config_diff(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    old_secrets: dict[str, str | None] | None = None,
    new_secrets: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """``{"retry.max_attempts": {"from": 18, "to": 4}, "secrets.auth": "changed", ...}``.

    Objects are compared key by key, lists as a whole. Secrets are compared by marks (digests
    of their sealed form) and only ever reported as ``"changed"``.
    """
    out: dict[str, Any] = {}
    _walk(old, new, "", out)
    old_secrets, new_secrets = old_secrets or {}, new_secrets or {}
    for name in sorted(old_secrets.keys() | new_secrets.keys()):
        if old_secrets.get(name) != new_secrets.get(name):
            out[f"secrets.{name}"] = SECRET_CHANGED
    return out
