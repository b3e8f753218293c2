"""What both clients share: connection options and the final callback states."""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_URL", "FINAL_STATES", "USER_AGENT", "http_options"]

DEFAULT_URL = "http://127.0.0.1:8000"
USER_AGENT = "goutong-client/0.1"
FINAL_STATES = frozenset({"delivered", "dead_lettered", "cancelled"})


def http_options(base_url: str, api_key: str | None, timeout: float) -> dict[str, Any]:
    """Keyword arguments for ``httpx.Client`` / ``httpx.AsyncClient``."""
    headers = {"User-Agent": USER_AGENT}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return {"base_url": base_url.rstrip("/"), "headers": headers, "timeout": timeout}
